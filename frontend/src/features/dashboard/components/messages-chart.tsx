import { memo } from 'react';
import { useTranslation } from 'react-i18next';

import { LazyLineChart } from '@/components/charts/lazy-charts';
import { useMediaQuery } from '@/hooks/use-media-query';
import { useTheme } from '@/hooks/use-theme';
import { formatNumber } from '@/lib/format';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { hourLabel } from '../utils/overview';
import { MESSAGE_SERIES_COLORS } from '../utils/status-colors';
import { ChartCard } from './chart-card';

/** Bootstrap's `sm` breakpoint: below it (phones) the hour axis shows fewer labels. */
export const WIDE_CHART_QUERY = '(min-width: 576px)';

/** Messages per hour over the last 24 h: received, sent and blocked, as lines. */
export const MessagesChart = memo(function MessagesChart({ overview }: { overview: Overview }) {
  const { t, i18n } = useTranslation(DASHBOARD_NS);
  const { theme } = useTheme();
  const colors = MESSAGE_SERIES_COLORS[theme];
  // 24 hour labels do not fit a phone's width ("06:0009:0012:00"): one every 6 h there.
  const wide = useMediaQuery(WIDE_CHART_QUERY);
  const buckets = overview.messages_per_hour;
  const n = (value: number) => formatNumber(value, i18n.language);
  const labels = buckets.map((bucket) => hourLabel(bucket.hour, i18n.language));
  const title = t('charts.messages');
  const series = [
    { key: 'incoming', label: t('charts.incoming'), color: colors.incoming, fill: true },
    { key: 'outgoing', label: t('charts.outgoing'), color: colors.outgoing, fill: false },
    { key: 'blocked', label: t('charts.blocked'), color: colors.blocked, fill: false },
  ] as const;

  return (
    <ChartCard title={title} headingId="chart-messages-title">
      <LazyLineChart
        label={t('charts.messagesLabel', {
          incoming: n(overview.messages.incoming_24h),
          outgoing: n(overview.messages.outgoing_24h),
          blocked: n(overview.messages.blocked_24h),
        })}
        height={260}
        data={{
          labels,
          datasets: series.map((s) => ({
            label: s.label,
            data: buckets.map((bucket) => bucket[s.key]),
            borderColor: s.color,
            backgroundColor: s.fill ? `${s.color}33` : s.color,
            fill: s.fill,
            tension: 0.3,
            pointRadius: 0,
            pointHoverRadius: 4,
            borderWidth: 2,
          })),
        }}
        options={{
          animation: false,
          interaction: { mode: 'index', intersect: false },
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, padding: 12 } } },
          scales: {
            y: { beginAtZero: true, ticks: { precision: 0 } },
            x: {
              ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12, maxTicksLimit: wide ? 8 : 4 },
            },
          },
        }}
      />
      {/* Hidden in a div: a table ignores the 1 px width and would widen the page on phones. */}
      <div className="visually-hidden">
        <table>
          <caption>{t('charts.tableCaption', { title })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('charts.hour')}</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket, index) => (
              <tr key={bucket.hour}>
                <th scope="row">{labels[index]}</th>
                {series.map((s) => (
                  <td key={s.key}>{n(bucket[s.key])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </ChartCard>
  );
});
