import type { ChartOptions } from 'chart.js';

import type {
  HourRow,
  JobDayRow,
  MessageDayRow,
  SenderRow,
  UptimeDayRow,
} from '@/api/generated/types.gen';
import { LazyBarChart, LazyLineChart } from '@/components/charts/lazy-charts';
import { useMediaQuery } from '@/hooks/use-media-query';
import { useTheme } from '@/hooks/use-theme';
import { formatCalendarDate, formatPhone } from '@/lib/format-br';
import { formatNumber } from '@/lib/format';

import { type CsvSeparator, type ReportParams, reportCsvHref, useReport } from '../api/reports';
import { useReportsTranslation } from '../i18n';
import { type DayTotals, messagesPerDay, successRate, uptimePerDay } from '../lib/aggregate';
import { type Column, ReportCard } from './report-card';

const COLORS = {
  light: { received: '#0f766e', sent: '#2563eb', blocked: '#dc2626', warn: '#d97706' },
  dark: { received: '#2dd4bf', sent: '#60a5fa', blocked: '#f87171', warn: '#fbbf24' },
} as const;

export interface SectionProps {
  params: ReportParams | null;
  sep: CsvSeparator;
  instanceName: (id: number, fallback: string) => string;
}

const legend = { legend: { position: 'bottom' as const, labels: { boxWidth: 12, padding: 12 } } };

function useFormat() {
  const { t, i18n } = useReportsTranslation();
  const { theme } = useTheme();
  const wide = useMediaQuery('(min-width: 576px)');
  const locale = i18n.language;
  const axis = { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12, maxTicksLimit: wide ? 10 : 4 } };
  return {
    t,
    locale,
    colors: COLORS[theme],
    n: (value: number) => formatNumber(value, locale),
    day: (value: string) => formatCalendarDate(value, locale),
    percent: (value: number | null) =>
      value === null ? '—' : `${formatNumber(value, locale)} %`,
    axis,
    /** Counts per day (or hour) as stacked bars, the legend below. */
    stackedBars: {
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: legend,
      scales: { x: { ...axis, stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    } satisfies ChartOptions<'bar'>,
  };
}

export function MessagesSection({ params, sep, instanceName }: SectionProps) {
  const f = useFormat();
  const { t } = f;
  const query = useReport('messages', params);
  const rows = query.data?.rows ?? [];
  const totals = query.data?.totals ?? { received: 0, sent: 0, blocked: 0 };
  const days = messagesPerDay(rows);
  const series = [
    { key: 'received', label: t('messages.received'), color: f.colors.received },
    { key: 'sent', label: t('messages.sent'), color: f.colors.sent },
    { key: 'blocked', label: t('messages.blocked'), color: f.colors.blocked },
  ] as const;
  // Blocked messages are incoming ones, a part of the received: the bars stack the allowed
  // and the blocked incoming messages, then the sent ones, so that a bar is as tall as its
  // day's messages (stacking received and blocked counted the blocked ones twice).
  const stacks = [
    { label: t('messages.allowed'), color: f.colors.received, value: (d: DayTotals) => d.received - d.blocked },
    { label: t('messages.blocked'), color: f.colors.blocked, value: (d: DayTotals) => d.blocked },
    { label: t('messages.sent'), color: f.colors.sent, value: (d: DayTotals) => d.sent },
  ];
  const columns: Column<MessageDayRow>[] = [
    { key: 'day', header: t('messages.day'), cell: (r) => f.day(r.day) },
    { key: 'instance', header: t('messages.instance'), cell: (r) => instanceName(r.instance_id, r.instance_name) },
    ...series.map((s) => ({ key: s.key, header: s.label, numeric: true, cell: (r: MessageDayRow) => f.n(r[s.key]) })),
  ];
  return (
    <ReportCard
      id="messages"
      title={t('messages.title')}
      csvHref={params ? reportCsvHref('messages', params, sep) : null}
      query={query}
      rows={rows}
      rowKey={(r) => `${r.day}-${String(r.instance_id)}`}
      columns={columns}
      tableLabel={t('messages.tableLabel')}
      truncatedAt={query.data?.truncated ? rows.at(-1)?.day : null}
      footer={
        <tr className="fw-semibold">
          <th scope="row" colSpan={2}>
            {t('total')}
          </th>
          <td className="text-end">{f.n(totals.received)}</td>
          <td className="text-end">{f.n(totals.sent)}</td>
          <td className="text-end">{f.n(totals.blocked)}</td>
        </tr>
      }
      chart={
        <LazyBarChart
          height={260}
          label={t('messages.chartLabel', {
            received: f.n(totals.received),
            sent: f.n(totals.sent),
            blocked: f.n(totals.blocked),
          })}
          data={{
            labels: days.map((d) => f.day(d.day)),
            datasets: stacks.map((s) => ({
              label: s.label,
              data: days.map(s.value),
              backgroundColor: s.color,
              borderColor: s.color,
            })),
          }}
          options={f.stackedBars}
        />
      }
    />
  );
}

export function UptimeSection({ params, sep, instanceName }: SectionProps) {
  const f = useFormat();
  const { t } = f;
  const query = useReport('uptime', params);
  const rows = query.data?.rows ?? [];
  const days = uptimePerDay(rows);
  const known = days.flatMap((d) => (d.percent === null ? [] : [d.percent]));
  // Seconds, minutes or hours, whichever reads best.
  const hours = (seconds: number) =>
    seconds < 60
      ? `${f.n(seconds)} s`
      : seconds < 3600
        ? `${f.n(Math.round(seconds / 60))} min`
        : `${formatNumber(Math.round(seconds / 360) / 10, f.locale)} h`;
  const columns: Column<UptimeDayRow>[] = [
    { key: 'day', header: t('uptime.day'), cell: (r) => f.day(r.day) },
    { key: 'instance', header: t('uptime.instance'), cell: (r) => instanceName(r.instance_id, r.instance_name) },
    { key: 'open', header: t('uptime.connected'), numeric: true, cell: (r) => hours(r.open_seconds) },
    { key: 'observed', header: t('uptime.observed'), numeric: true, cell: (r) => hours(r.observed_seconds) },
    {
      key: 'percent',
      header: t('uptime.percent'),
      numeric: true,
      cell: (r) => (r.uptime_percent === null ? t('uptime.unknown') : f.percent(r.uptime_percent)),
    },
  ];
  return (
    <ReportCard
      id="uptime"
      title={t('uptime.title')}
      csvHref={params ? reportCsvHref('uptime', params, sep) : null}
      query={query}
      rows={rows}
      rowKey={(r) => `${r.day}-${String(r.instance_id)}`}
      columns={columns}
      tableLabel={t('uptime.tableLabel')}
      truncatedAt={query.data?.truncated ? rows.at(-1)?.day : null}
      chart={
        <LazyLineChart
          height={260}
          label={t('uptime.chartLabel', {
            min: f.percent(known.length ? Math.min(...known) : null),
            max: f.percent(known.length ? Math.max(...known) : null),
          })}
          data={{
            labels: days.map((d) => f.day(d.day)),
            datasets: [
              {
                label: t('uptime.series'),
                data: days.map((d) => d.percent),
                borderColor: f.colors.received,
                backgroundColor: `${f.colors.received}33`,
                fill: true,
                tension: 0.2,
                pointRadius: days.length > 60 ? 0 : 3,
                spanGaps: false,
              },
            ],
          }}
          options={{
            animation: false,
            plugins: legend,
            // Offset as the bar charts are: a period of one or two days puts its points in
            // the middle of the chart instead of on its left edge, against the axis.
            scales: { x: { ...f.axis, offset: true }, y: { min: 0, max: 100, ticks: { callback: (v) => `${String(v)} %` } } },
          }}
        />
      }
    />
  );
}

export function JobsSection({ params, sep }: SectionProps) {
  const f = useFormat();
  const { t } = f;
  const query = useReport('jobs', params);
  const rows = query.data?.rows ?? [];
  const total = rows.reduce((sum, r) => sum + r.total, 0);
  const ms = (value: number | null) =>
    value === null ? '—' : value >= 1000 ? `${formatNumber(Math.round(value / 10) / 100, f.locale)} s` : `${f.n(Math.round(value))} ms`;
  const series = [
    { key: 'succeeded', label: t('jobs.succeeded'), color: f.colors.received },
    { key: 'failed', label: t('jobs.failed'), color: f.colors.blocked },
    { key: 'cancelled', label: t('jobs.cancelled'), color: f.colors.warn },
  ] as const;
  const columns: Column<JobDayRow>[] = [
    { key: 'day', header: t('jobs.day'), cell: (r) => f.day(r.day) },
    { key: 'total', header: t('jobs.total'), numeric: true, cell: (r) => f.n(r.total) },
    ...series.map((s) => ({ key: s.key, header: s.label, numeric: true, cell: (r: JobDayRow) => f.n(r[s.key]) })),
    { key: 'rate', header: t('jobs.rate'), numeric: true, cell: (r) => f.percent(r.success_rate) },
    { key: 'duration', header: t('jobs.duration'), numeric: true, cell: (r) => ms(r.mean_duration_ms) },
  ];
  return (
    <ReportCard
      id="jobs"
      title={t('jobs.title')}
      csvHref={params ? reportCsvHref('jobs', params, sep) : null}
      query={query}
      rows={rows}
      rowKey={(r) => r.day}
      columns={columns}
      tableLabel={t('jobs.tableLabel')}
      chart={
        <LazyBarChart
          height={260}
          label={t('jobs.chartLabel', { total: f.n(total), rate: f.percent(successRate(rows)) })}
          data={{
            labels: rows.map((r) => f.day(r.day)),
            datasets: series.map((s) => ({
              label: s.label,
              data: rows.map((r) => r[s.key]),
              backgroundColor: s.color,
              borderColor: s.color,
            })),
          }}
          options={f.stackedBars}
        />
      }
    />
  );
}

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}h`;

export function HoursSection({ params, sep }: SectionProps) {
  const f = useFormat();
  const { t } = f;
  const query = useReport('hours', params);
  const rows = query.data?.rows ?? [];
  const any = rows.some((r) => r.received + r.sent > 0);
  const busiest = rows.reduce<HourRow | null>(
    (best, r) => (best === null || r.received + r.sent > best.received + best.sent ? r : best),
    null,
  );
  const columns: Column<HourRow>[] = [
    { key: 'hour', header: t('hours.hour'), cell: (r) => hourLabel(r.hour) },
    { key: 'received', header: t('hours.received'), numeric: true, cell: (r) => f.n(r.received) },
    { key: 'sent', header: t('hours.sent'), numeric: true, cell: (r) => f.n(r.sent) },
  ];
  return (
    <ReportCard
      id="hours"
      title={t('hours.title')}
      csvHref={params ? reportCsvHref('hours', params, sep) : null}
      query={query}
      rows={any ? rows : []}
      rowKey={(r) => String(r.hour)}
      columns={columns}
      tableLabel={t('hours.tableLabel')}
      chart={
        <LazyBarChart
          height={260}
          label={t('hours.chartLabel', { hour: busiest ? hourLabel(busiest.hour) : '—' })}
          data={{
            labels: rows.map((r) => hourLabel(r.hour)),
            datasets: [
              { label: t('hours.received'), data: rows.map((r) => r.received), backgroundColor: f.colors.received },
              { label: t('hours.sent'), data: rows.map((r) => r.sent), backgroundColor: f.colors.sent },
            ],
          }}
          options={f.stackedBars}
        />
      }
    />
  );
}

export function SendersSection({ params, sep }: SectionProps) {
  const f = useFormat();
  const { t } = f;
  const query = useReport('senders', params);
  const rows = query.data?.rows ?? [];
  const columns: Column<SenderRow>[] = [
    { key: 'sender', header: t('senders.sender'), cell: (r) => formatPhone(r.sender_phone) },
    { key: 'messages', header: t('senders.messages'), numeric: true, cell: (r) => f.n(r.messages) },
  ];
  return (
    <ReportCard
      id="senders"
      title={t('senders.title')}
      csvHref={params ? reportCsvHref('senders', params, sep) : null}
      query={query}
      rows={rows}
      rowKey={(r) => r.sender_phone}
      columns={columns}
      tableLabel={t('senders.tableLabel')}
      chart={
        <LazyBarChart
          height={260}
          label={t('senders.chartLabel', { count: rows.length })}
          data={{
            labels: rows.map((r) => formatPhone(r.sender_phone)),
            datasets: [{ label: t('senders.messages'), data: rows.map((r) => r.messages), backgroundColor: f.colors.sent }],
          }}
          options={{
            animation: false,
            indexAxis: 'y',
            plugins: { legend: { display: false } },
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
          }}
        />
      }
    />
  );
}
