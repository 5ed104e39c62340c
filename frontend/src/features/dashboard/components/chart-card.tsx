import type { ReactNode } from 'react';

/** A card with a titled chart area of a fixed height (no layout shift while Chart.js loads). */
export function ChartCard({
  title,
  headingId,
  children,
}: {
  title: string;
  headingId: string;
  children: ReactNode;
}) {
  return (
    <section className="card h-100 dashboard-card" aria-labelledby={headingId}>
      <div className="card-body">
        <h2 id={headingId} className="h6 card-title mb-3">
          {title}
        </h2>
        <div className="chart-area">{children}</div>
      </div>
    </section>
  );
}
