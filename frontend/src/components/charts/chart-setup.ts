import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

// Only the pieces the dashboard draws (doughnut, bar, line), so Chart.js tree-shakes.
Chart.register(
  ArcElement,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
);

/** Colours that read well on both themes' backgrounds. */
export const CHART_COLORS = [
  '#0f766e',
  '#f59e0b',
  '#3b82f6',
  '#ef4444',
  '#8b5cf6',
  '#14b8a6',
  '#64748b',
] as const;

/** Text and grid colours from the current Bootstrap theme. */
export function themeChartColors() {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--bs-body-color').trim() || '#212529',
    grid: style.getPropertyValue('--bs-border-color-translucent').trim() || 'rgba(0,0,0,.1)',
  };
}

export { Chart };
