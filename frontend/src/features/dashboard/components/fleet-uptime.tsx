import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { ErrorState } from '@/components/ui/error-state';
import { paths } from '@/config/paths';
import { formatDuration, formatPercent } from '@/lib/format';

import { useFleetUptime } from '../api/get-fleet-uptime';
import { DASHBOARD_NS } from '../locales';

/** Green from 99 %, amber from 95 %, else red; grey without data. */
function tone(percent: number | null): string {
  if (percent === null) return 'text-body-secondary';
  if (percent >= 99) return 'text-success-emphasis';
  if (percent >= 95) return 'text-warning-emphasis';
  return 'text-danger-emphasis';
}

/** The fleet's uptime over 24 h, 7 d and 30 d, and the instances with the worst. */
export function FleetUptimeCard() {
  const { t, i18n } = useTranslation(DASHBOARD_NS);
  const locale = i18n.language;
  const fleet = useFleetUptime();
  const percent = (value: number | null) =>
    value === null ? t('uptime.noData') : formatPercent(value, locale);

  let body;
  if (fleet.isPending) {
    body = <LoadingState />;
  } else if (fleet.isError) {
    body = <ErrorState error={fleet.error} onRetry={() => void fleet.refetch()} />;
  } else {
    const { windows, worst } = fleet.data;
    body = (
      <div className="row g-3">
        <div className="col-12 col-md-6">
          <dl className="row g-2 mb-0 text-center">
            {windows.map((w) => (
              <div key={w.window} className="col-4" data-testid={`fleet-uptime-${w.window}`}>
                <dt className="small text-body-secondary fw-normal">
                  {t(`uptime.windows.${w.window}`)}
                </dt>
                <dd className={`fs-4 fw-semibold mb-0 ${tone(w.uptime_percent)}`}>
                  {percent(w.uptime_percent)}
                </dd>
                <dd className="small mb-0">{t('uptime.disconnects', { count: w.disconnects })}</dd>
                {w.mean_reconnect_seconds !== null ? (
                  <dd className="small text-body-secondary mb-0">
                    {t('uptime.meanReconnect', {
                      duration: formatDuration(w.mean_reconnect_seconds, locale),
                    })}
                  </dd>
                ) : null}
              </div>
            ))}
          </dl>
        </div>
        <div className="col-12 col-md-6">
          <h3 id="worst-uptime-title" className="h6">
            {t('uptime.worst')}
          </h3>
          {worst.length === 0 ? (
            <p className="text-body-secondary small mb-0">{t('uptime.worstEmpty')}</p>
          ) : (
            <ol className="list-group list-group-flush" aria-labelledby="worst-uptime-title">
              {worst.map((item) => (
                <li
                  key={item.instance_id}
                  className="list-group-item d-flex align-items-center gap-2 px-0"
                  data-testid="worst-uptime"
                >
                  <Link
                    to={paths.instance.getHref(item.instance_id)}
                    className="flex-grow-1 min-w-0 text-truncate fw-semibold"
                  >
                    {item.display_name}
                  </Link>
                  <span className="small text-body-secondary text-nowrap">
                    {t('uptime.disconnects', { count: item.disconnects })}
                  </span>
                  <span className={`fw-semibold text-nowrap ${tone(item.uptime_percent)}`}>
                    {percent(item.uptime_percent)}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      </div>
    );
  }

  return (
    <section className="card dashboard-card" aria-labelledby="fleet-uptime-title">
      <div className="card-header bg-transparent d-flex align-items-center gap-2 py-3">
        <Icon name="wifi" className="text-primary-emphasis" />
        <h2 id="fleet-uptime-title" className="h6 mb-0">
          {t('uptime.title')}
        </h2>
      </div>
      <div className="card-body">{body}</div>
    </section>
  );
}
