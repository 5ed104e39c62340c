import type { TFunction } from 'i18next';

import type { AlertRead } from '@/api/generated/types.gen';
import { formatRelativeTime } from '@/lib/format';

/**
 * What an alert found, in the reader's language, from its `facts` (the backend's
 * `detail` is English; it is the fallback for alerts whose facts are missing).
 */
export function describeAlert(alert: AlertRead, t: TFunction, locale: string): string {
  const facts = alert.facts;
  if (!facts) return alert.detail ?? '';
  const values: Record<string, string | number> = { ...facts };
  const since =
    typeof facts.silent_since === 'string'
      ? facts.silent_since
      : typeof facts.attempted_at === 'string'
        ? facts.attempted_at
        : alert.started_at;
  values.ago = formatRelativeTime(since, locale);
  if (typeof facts.status === 'string') {
    values.status = t(`status.${facts.status}`, { defaultValue: facts.status }).toLocaleLowerCase(locale);
  }
  const text = t(`alertCenter.detail.${alert.rule}`, values);
  return facts.rule_off ? `${text}${t('alertCenter.detail.ruleOff')}` : text;
}
