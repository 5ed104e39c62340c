import type { ReactNode } from 'react';

export interface PageHeaderProps {
  title: string;
  description?: ReactNode;
  /** Buttons shown at the right of the title (below it on phones). */
  actions?: ReactNode;
}

export function PageHeader({ title, description, actions }: PageHeaderProps) {
  return (
    <header className="page-header d-flex flex-column flex-sm-row align-items-sm-center gap-2 mb-4">
      {/* React 19 hoists <title> into <head>. */}
      <title>{`${title} · evodash`}</title>
      <div className="flex-grow-1">
        <h1 className="h3 mb-1">{title}</h1>
        {description ? <p className="text-body-secondary mb-0">{description}</p> : null}
      </div>
      {actions ? <div className="d-flex flex-wrap gap-2">{actions}</div> : null}
    </header>
  );
}
