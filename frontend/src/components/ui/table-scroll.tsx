import type { ReactNode } from 'react';

export interface TableScrollProps {
  /** What the table lists; screen readers announce the scrolling region with it. */
  label: string;
  children: ReactNode;
  className?: string;
}

/**
 * The horizontal scroller around a wide table (Bootstrap's `.table-responsive`), reachable
 * from the keyboard: a region that can take focus so that arrow keys scroll it (WCAG
 * 2.1.1; axe's `scrollable-region-focusable`).
 */
export function TableScroll({ label, children, className }: TableScrollProps) {
  return (
    <div
      className={className ? `table-responsive table-scroll ${className}` : 'table-responsive table-scroll'}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      {children}
    </div>
  );
}
