import type { ReactNode } from 'react';

import { Icon, type IconName } from './icon';

export interface EmptyStateProps {
  title: string;
  description?: ReactNode;
  icon?: IconName;
  /** A call to action, e.g. a "Nova instância" button. */
  action?: ReactNode;
}

export function EmptyState({ title, description, icon = 'inbox', action }: EmptyStateProps) {
  return (
    <section className="empty-state card border-dashed text-center py-5 px-3" aria-label={title}>
      <div className="empty-state-icon mx-auto mb-3">
        <Icon name={icon} size="1.75rem" />
      </div>
      <h2 className="h5">{title}</h2>
      {description ? (
        <p className="text-body-secondary mb-0 mx-auto empty-state-text">{description}</p>
      ) : null}
      {action ? <div className="mt-3">{action}</div> : null}
    </section>
  );
}
