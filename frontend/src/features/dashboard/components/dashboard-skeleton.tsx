import { useTranslation } from 'react-i18next';

import { DASHBOARD_NS } from '../locales';

const CARDS = [
  'open',
  'connecting',
  'close',
  'unreachable',
  'instances',
  'messages',
  'blocked',
  'jobs',
];

/** The dashboard's shape while the figures load (same sizes: nothing jumps when they come). */
export function DashboardSkeleton() {
  const { t } = useTranslation(DASHBOARD_NS);
  return (
    <div role="status" aria-live="polite" aria-busy="true">
      <span className="visually-hidden">{t('loading')}</span>
      <div className="stat-grid mb-4" aria-hidden="true">
        {CARDS.map((tone) => (
          <div key={tone} className={`stat-card stat-card-${tone} placeholder-glow`}>
            <span className="placeholder col-7 stat-card-label" />
            <span className="placeholder col-4 stat-card-value d-block" />
            <span className="placeholder col-9 stat-card-detail d-block" />
          </div>
        ))}
      </div>
      <ChartsSkeleton />
    </div>
  );
}

/** The two chart cards' shape, while their data or Chart.js is on the way. */
export function ChartsSkeleton() {
  return (
    <div className="row g-3 mb-3" aria-hidden="true">
      <div className="col-12 col-xl-5">
        <div className="card dashboard-card placeholder-glow">
          <div className="card-body">
            <span className="placeholder col-6 mb-3" />
            <div className="chart-area placeholder w-100 rounded" />
          </div>
        </div>
      </div>
      <div className="col-12 col-xl-7">
        <div className="card dashboard-card placeholder-glow">
          <div className="card-body">
            <span className="placeholder col-6 mb-3" />
            <div className="chart-area placeholder w-100 rounded" />
          </div>
        </div>
      </div>
    </div>
  );
}
