import { memo } from 'react';
import { useTranslation } from 'react-i18next';

import { Icon, type IconName } from '@/components/ui/icon';
import { formatNumber } from '@/lib/format';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { countOf } from '../utils/overview';

type Tone =
  'open' | 'connecting' | 'close' | 'unreachable' | 'instances' | 'messages' | 'blocked' | 'jobs';

export interface StatCardProps {
  tone: Tone;
  icon: IconName;
  label: string;
  value: number;
  detail?: string;
}

/** A figure on a gradient card, after the original dashboard's "cards com gradientes". */
export function StatCard({ tone, icon, label, value, detail }: StatCardProps) {
  const { i18n } = useTranslation();
  return (
    <div className={`stat-card stat-card-${tone}`} data-testid={`stat-${tone}`}>
      <dt className="stat-card-label">{label}</dt>
      <dd className="stat-card-value">{formatNumber(value, i18n.language)}</dd>
      {detail ? <dd className="stat-card-detail">{detail}</dd> : null}
      <span className="stat-card-icon" aria-hidden="true">
        <Icon name={icon} />
      </span>
    </div>
  );
}

/** The dashboard's eight headline figures. */
export const StatCards = memo(function StatCards({ overview }: { overview: Overview }) {
  const { t, i18n } = useTranslation(DASHBOARD_NS);
  const n = (value: number) => formatNumber(value, i18n.language);
  const by = overview.instances_by_status;
  const total = overview.instances_total;
  const count = (status: string) => countOf(by, status);
  const ofTotal = t('cards.ofTotal', { count: total, total: n(total) });
  const jobs = overview.jobs_by_status;
  const serversDetail = [
    t('cards.servers', { count: overview.servers, total: n(overview.servers) }),
    overview.servers_unreachable > 0
      ? t('cards.serversUnreachable', {
          count: overview.servers_unreachable,
          total: n(overview.servers_unreachable),
        })
      : null,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <section aria-label={t('cards.label')} className="mb-4">
      <dl className="stat-grid mb-0">
        <StatCard
          tone="open"
          icon="wifi"
          label={t('cards.open')}
          value={count('open')}
          detail={ofTotal}
        />
        <StatCard
          tone="connecting"
          icon="arrow-repeat"
          label={t('cards.connecting')}
          value={count('connecting')}
          detail={ofTotal}
        />
        <StatCard
          tone="close"
          icon="wifi-off"
          label={t('cards.close')}
          value={count('close')}
          detail={ofTotal}
        />
        <StatCard
          tone="unreachable"
          icon="exclamation-octagon"
          label={t('cards.unreachable')}
          value={count('unreachable')}
          detail={ofTotal}
        />
        <StatCard
          tone="instances"
          icon="whatsapp"
          label={t('cards.instances')}
          value={total}
          detail={serversDetail}
        />
        <StatCard
          tone="messages"
          icon="chat-dots"
          label={t('cards.messages')}
          value={overview.messages.last_24h}
          detail={t('cards.inOut', {
            incoming: n(overview.messages.incoming_24h),
            outgoing: n(overview.messages.outgoing_24h),
          })}
        />
        <StatCard
          tone="blocked"
          icon="slash-circle"
          label={t('cards.blocked')}
          value={overview.messages.blocked_24h}
          detail={t('cards.blockedDetail')}
        />
        <StatCard
          tone="jobs"
          icon="list-task"
          label={t('cards.jobs')}
          value={countOf(jobs, 'pending')}
          detail={t('cards.jobsDetail', {
            running: n(countOf(jobs, 'running')),
            failed: n(countOf(jobs, 'failed')),
          })}
        />
      </dl>
    </section>
  );
});
