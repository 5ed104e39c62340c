import { useTranslation } from 'react-i18next';

import { formatDateTime, formatRelativeTime } from '@/lib/format';

/** "há 3 min", with the full date and time on hover and for machines. */
export function RelativeTime({ value, now }: { value: string; now: number }) {
  const { i18n } = useTranslation();
  return (
    <time dateTime={value} title={formatDateTime(value, i18n.language)}>
      {formatRelativeTime(value, i18n.language, now)}
    </time>
  );
}
