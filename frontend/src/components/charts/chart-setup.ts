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

/** Text and grid colours from the current Bootstrap theme. */
export function themeChartColors() {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--bs-body-color').trim() || '#212529',
    grid: style.getPropertyValue('--bs-border-color-translucent').trim() || 'rgba(0,0,0,.1)',
  };
}

export { Chart };
