import { type ComponentProps, lazy, Suspense } from 'react';

import { LoadingState } from '@/components/ui/loading-state';

// Chart.js loads on first use, in its own chunk (DESIGN.md §8: small initial bundle).
const Charts = () => import('./charts');
const Doughnut = lazy(() => Charts().then((m) => ({ default: m.DoughnutChart })));
const Bar = lazy(() => Charts().then((m) => ({ default: m.BarChart })));
const Line = lazy(() => Charts().then((m) => ({ default: m.LineChart })));

export function LazyDoughnutChart(props: ComponentProps<typeof Doughnut>) {
  return (
    <Suspense fallback={<LoadingState />}>
      <Doughnut {...props} />
    </Suspense>
  );
}

export function LazyBarChart(props: ComponentProps<typeof Bar>) {
  return (
    <Suspense fallback={<LoadingState />}>
      <Bar {...props} />
    </Suspense>
  );
}

export function LazyLineChart(props: ComponentProps<typeof Line>) {
  return (
    <Suspense fallback={<LoadingState />}>
      <Line {...props} />
    </Suspense>
  );
}
