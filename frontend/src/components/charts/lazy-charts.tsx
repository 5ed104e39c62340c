import { type ComponentProps, lazy, Suspense } from 'react';

import { LoadingState } from '@/components/ui/loading-state';

import { loadCharts } from './load-charts';

const Doughnut = lazy(() => loadCharts().then((m) => ({ default: m.DoughnutChart })));
const Bar = lazy(() => loadCharts().then((m) => ({ default: m.BarChart })));
const Line = lazy(() => loadCharts().then((m) => ({ default: m.LineChart })));

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

const Timeline = lazy(() => loadCharts().then((m) => ({ default: m.TimelineChart })));

export function LazyTimelineChart(props: ComponentProps<typeof Timeline>) {
  return (
    <Suspense fallback={<LoadingState />}>
      <Timeline {...props} />
    </Suspense>
  );
}
