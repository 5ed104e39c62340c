import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { Icon, type IconName } from '@/components/ui/icon';

export interface ListCardProps {
  title: string;
  headingId: string;
  icon: IconName;
  /** Shown instead of the list when it has no items. */
  empty: string;
  isEmpty: boolean;
  /** "Ver todas…" link at the bottom. */
  more?: { to: string; label: string };
  /** Fill the height of its grid cell (the card standing alone in a column). */
  fill?: boolean;
  children: ReactNode;
}

/** A titled card holding a short list (recent instances, messages, events). */
export function ListCard({
  title,
  headingId,
  icon,
  empty,
  isEmpty,
  more,
  fill = false,
  children,
}: ListCardProps) {
  return (
    <section className={`card dashboard-card${fill ? ' h-100' : ''}`} aria-labelledby={headingId}>
      <div className="card-header bg-transparent d-flex align-items-center gap-2 py-3">
        <Icon name={icon} className="text-primary-emphasis" />
        <h2 id={headingId} className="h6 mb-0">
          {title}
        </h2>
      </div>
      {isEmpty ? (
        <p className="card-body text-body-secondary mb-0">{empty}</p>
      ) : (
        <ul className="list-group list-group-flush dashboard-list">{children}</ul>
      )}
      {more ? (
        <div className="card-footer bg-transparent py-2 mt-auto">
          <Link to={more.to} className="small">
            {more.label}
          </Link>
        </div>
      ) : null}
    </section>
  );
}
