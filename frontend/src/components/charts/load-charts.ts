// Chart.js loads on first use, in its own chunk (DESIGN.md §8: small initial bundle).
export const loadCharts = () => import('./charts');
