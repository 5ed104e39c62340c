/**
 * Starts downloading Chart.js now (e.g. when a page with charts loads, while its data is
 * still on the way) instead of when its first chart renders. Same chunk as lazy-charts.tsx.
 */
export function preloadCharts(): void {
  void import('./charts');
}
