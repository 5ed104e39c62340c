// Imported only through lazy-charts.tsx: Chart.js (~70 KB gzipped) stays out of the
// initial bundle and loads with the first page that draws a chart.
import './chart-setup';

import type { ChartData, ChartOptions } from 'chart.js';
import { Bar, Doughnut, Line } from 'react-chartjs-2';

import { useTheme } from '@/hooks/use-theme';

import { themeChartColors } from './chart-setup';

export interface ChartProps<T extends 'doughnut' | 'bar' | 'line'> {
  data: ChartData<T>;
  options?: ChartOptions<T>;
  /** Accessible description of what the chart shows (canvas has no text of its own). */
  label: string;
  height?: number;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges a page's options over the theme defaults key by key, so `scales.y.ticks.precision`
 * keeps the theme's tick colour and `plugins.legend.position` its label colour.
 */
function mergeOptions<T>(base: Plain, extra: T | undefined): T {
  const merged: Plain = { ...base };
  if (!isPlain(extra)) return merged as T;
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] = isPlain(current) && isPlain(value) ? mergeOptions(current, value) : value;
  }
  return merged as T;
}

function useBaseOptions() {
  // Re-read the CSS variables when the theme changes.
  const { theme } = useTheme();
  const colors = themeChartColors();
  return {
    key: theme,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      color: colors.text,
      plugins: { legend: { labels: { color: colors.text } } },
    },
    colors,
  };
}

export function DoughnutChart({ data, options, label, height = 240 }: ChartProps<'doughnut'>) {
  const base = useBaseOptions();
  return (
    <div style={{ height }}>
      <Doughnut
        key={base.key}
        data={data}
        options={mergeOptions(base.options, options)}
        aria-label={label}
        role="img"
      />
    </div>
  );
}

export function BarChart({ data, options, label, height = 240 }: ChartProps<'bar'>) {
  const base = useBaseOptions();
  const axis = { ticks: { color: base.colors.text }, grid: { color: base.colors.grid } };
  return (
    <div style={{ height }}>
      <Bar
        key={base.key}
        data={data}
        options={mergeOptions({ ...base.options, scales: { x: axis, y: axis } }, options)}
        aria-label={label}
        role="img"
      />
    </div>
  );
}

export function LineChart({ data, options, label, height = 240 }: ChartProps<'line'>) {
  const base = useBaseOptions();
  const axis = { ticks: { color: base.colors.text }, grid: { color: base.colors.grid } };
  return (
    <div style={{ height }}>
      <Line
        key={base.key}
        data={data}
        options={mergeOptions({ ...base.options, scales: { x: axis, y: axis } }, options)}
        aria-label={label}
        role="img"
      />
    </div>
  );
}

export interface TimelineSpan {
  state: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
}

export interface TimelineChartProps {
  spans: readonly TimelineSpan[];
  /** One entry per state, in legend order: its label and colour. */
  series: readonly { state: string; label: string; color: string }[];
  /** The window shown (ms since the epoch). */
  min: number;
  max: number;
  label: string;
  formatTick: (ms: number) => string;
  /** Milliseconds between two ticks of the time axis. */
  step?: number;
  /** The tooltip of a span. */
  describe: (span: TimelineSpan) => string;
  height?: number;
}

interface SpanPoint {
  x: [number, number];
  y: string;
  span: TimelineSpan;
}

/**
 * States over time as one horizontal bar: floating bars on a linear time axis, one
 * dataset per state so the legend names the colours.
 */
export function TimelineChart({
  spans,
  series,
  min,
  max,
  label,
  formatTick,
  step,
  describe,
  height = 96,
}: TimelineChartProps) {
  const base = useBaseOptions();
  const axis = { ticks: { color: base.colors.text }, grid: { color: base.colors.grid } };
  const row = '';
  const datasets = series.map((s) => ({
    label: s.label,
    data: spans
      .filter((span) => span.state === s.state)
      .map((span): SpanPoint => ({ x: [span.start, span.end], y: row, span })),
    backgroundColor: s.color,
    borderWidth: 0,
    borderSkipped: false,
    grouped: false,
    barPercentage: 1,
    categoryPercentage: 1,
  }));
  const options: ChartOptions<'bar'> = {
    ...base.options,
    indexAxis: 'y',
    animation: false,
    scales: {
      x: {
        ...axis,
        type: 'linear',
        min,
        max,
        ticks: {
          ...axis.ticks,
          maxRotation: 0,
          autoSkip: true,
          maxTicksLimit: 8,
          stepSize: step,
          callback: (value) => formatTick(Number(value)),
        },
      },
      y: { ...axis, grid: { display: false } },
    },
    plugins: {
      ...base.options.plugins,
      legend: {
        position: 'bottom',
        labels: { color: base.colors.text, boxWidth: 12, padding: 10 },
      },
      tooltip: {
        callbacks: {
          title: () => '',
          label: (item) => describe((item.raw as SpanPoint).span),
        },
      },
    },
  };
  return (
    <div style={{ height }}>
      <Bar
        key={base.key}
        // Chart.js reads {x: [start, end], y} as a floating bar; its types only know numbers.
        data={{ datasets } as unknown as ChartData<'bar'>}
        options={options}
        aria-label={label}
        role="img"
      />
    </div>
  );
}
