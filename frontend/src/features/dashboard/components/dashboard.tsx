import './dashboard.css';

import { useDeferredValue } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { preloadCharts } from '@/components/charts/preload-charts';
import { ErrorState } from '@/components/ui/error-state';
import { Icon } from '@/components/ui/icon';
import { PageHeader } from '@/components/ui/page-header';
import { formatRelativeTime } from '@/lib/format';

import { type Overview, useOverview } from '../api/get-overview';
import { useLiveOverview } from '../hooks/use-live-overview';
import { useNow } from '../hooks/use-now';
import { DASHBOARD_NS } from '../locales';
import { isFreshInstall } from '../utils/overview';
import { ConnectionEvents } from './connection-events';
import { DashboardEmpty } from './dashboard-empty';
import { FleetUptimeCard } from './fleet-uptime';
import { ChartsSkeleton, DashboardSkeleton } from './dashboard-skeleton';
import { LatestMessages } from './latest-messages';
import { MessagesChart } from './messages-chart';
import { RecentInstances } from './recent-instances';
import { StatCards } from './stat-cards';
import { StatusChart } from './status-chart';

// Chart.js downloads while the figures are on their way, not after they arrive.
preloadCharts();

/** The dashboard page: figures, charts and the latest activity, refreshed live. */
export function Dashboard() {
  const { t, i18n } = useTranslation(DASHBOARD_NS);
  const overview = useOverview();
  const now = useNow();
  useLiveOverview();

  const refreshing = overview.isFetching && !overview.isPending;
  const actions = overview.data ? (
    <div className="d-flex align-items-center gap-2">
      <span className="small text-body-secondary">
        {t('updatedAt', {
          when: formatRelativeTime(Math.min(overview.dataUpdatedAt, now), i18n.language, now),
        })}
      </span>
      <Button
        variant="outline-secondary"
        size="sm"
        onClick={() => void overview.refetch()}
        disabled={refreshing}
      >
        <Icon name="arrow-clockwise" className={`me-1${refreshing ? ' spin' : ''}`} />
        {refreshing ? t('refreshing') : t('refresh')}
      </Button>
    </div>
  ) : null;

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={actions} />
      {overview.isPending ? (
        <DashboardSkeleton />
      ) : overview.isError && !overview.data ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        <DashboardBody overview={overview.data} now={now} stale={overview.isRefetchError} />
      )}
    </>
  );
}

function DashboardBody({
  overview,
  now,
  stale,
}: {
  overview: Overview;
  now: number;
  stale: boolean;
}) {
  const { t } = useTranslation(DASHBOARD_NS);
  // The figures first; the charts and lists in a second, interruptible render (React yields
  // between pieces of it), so neither the first paint nor a live refresh blocks the page.
  const later = useDeferredValue<Overview | null>(overview, null);
  if (isFreshInstall(overview)) return <DashboardEmpty hasServer={overview.servers > 0} />;
  return (
    <>
      {stale ? (
        <Alert variant="warning" className="py-2 small">
          {t('refreshFailed')}
        </Alert>
      ) : null}
      <StatCards overview={overview} />
      {later ? (
        <>
          <div className="row g-3 mb-3">
            <div className="col-12 col-xl-5">
              <StatusChart overview={later} />
            </div>
            <div className="col-12 col-xl-7">
              <MessagesChart overview={later} />
            </div>
          </div>
          <div className="mb-3">
            <FleetUptimeCard />
          </div>
          <div className="row g-3">
            <div className="col-12 col-lg-6 d-flex flex-column gap-3">
              <RecentInstances overview={later} now={now} />
              <ConnectionEvents overview={later} now={now} />
            </div>
            <div className="col-12 col-lg-6">
              <LatestMessages overview={later} now={now} />
            </div>
          </div>
        </>
      ) : (
        <ChartsSkeleton />
      )}
    </>
  );
}
