import type { UptimeWindow } from '@/api/generated/types.gen';
import { formatPercent } from '@/lib/format';

import { windowOf } from '../api/get-uptime';
import { hasData, uptimeTone } from '../lib/uptime';
import { useInstancesTranslation } from '../locales';

/** The list's uptime figure: 7 days, coloured; a dash without data or while loading. */
export function UptimeCell({ windows }: { windows: readonly UptimeWindow[] | undefined }) {
  const { t, i18n } = useInstancesTranslation();
  const week = windowOf(windows, '7d');
  if (!hasData(week)) {
    return (
      <span className="text-body-secondary" title={windows ? t('uptime.noData') : undefined}>
        —<span className="visually-hidden">{t('uptime.noData')}</span>
      </span>
    );
  }
  const percent = formatPercent(week.uptime_percent ?? 0, i18n.language);
  return (
    <span
      className={`fw-semibold ${uptimeTone(week.uptime_percent)}`}
      data-testid="uptime-cell"
      title={t('uptime.disconnects', { count: week.disconnects })}
    >
      {percent}
    </span>
  );
}
