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
