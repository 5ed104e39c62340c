import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';

import { SERVERS_NS } from '../locales';

/** The last check's outcome: reachable, unreachable, or never checked. */
export function ReachabilityBadge({ reachable }: { reachable: boolean | null }) {
  const { t } = useTranslation(SERVERS_NS);
  if (reachable === null) {
    return (
      <span className="badge rounded-pill text-bg-secondary">{t('reachability.unknown')}</span>
    );
  }
  return reachable ? (
    <span className="badge rounded-pill text-bg-success">
      <Icon name="check-circle-fill" className="me-1" />
      {t('reachability.reachable')}
    </span>
  ) : (
    <span className="badge rounded-pill text-bg-danger">
      <Icon name="x-circle-fill" className="me-1" />
      {t('reachability.unreachable')}
    </span>
  );
}
