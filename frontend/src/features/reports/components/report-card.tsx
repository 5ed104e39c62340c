import { type ReactNode, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Table from 'react-bootstrap/Table';

import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { TableScroll } from '@/components/ui/table-scroll';
import { formatNumber } from '@/lib/format';
import { formatCalendarDate } from '@/lib/format-br';

import { useReportsTranslation } from '../i18n';

/** Rows shown at first and added by "show more" (a year per instance is thousands). */
export const TABLE_STEP = 31;

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
}

export interface ReportCardProps<T> {
  id: string;
  title: string;
  csvHref: string | null;
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: readonly Column<T>[];
  tableLabel: string;
  chart: ReactNode;
  /** A last row under the table (totals). */
  footer?: ReactNode;
  /** The last day shown when the API stopped the rows short (too many days × instances). */
  truncatedAt?: string | null;
}

/** One report: its title and CSV download, a chart, and the same figures as a table. */
export function ReportCard<T>({
  id,
  title,
  csvHref,
  query,
  rows,
  rowKey,
  columns,
  tableLabel,
  chart,
  footer,
  truncatedAt = null,
}: ReportCardProps<T>) {
  const { t, i18n } = useReportsTranslation();
  const [shown, setShown] = useState(TABLE_STEP);
  const headingId = `report-${id}-title`;
  let body: ReactNode;
  if (query.isPending) {
    body = <LoadingState />;
  } else if (query.isError) {
    body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  } else if (rows.length === 0) {
    body = <EmptyState icon="bar-chart-line" title={t('empty')} />;
  } else {
    const visible = rows.slice(0, shown);
    body = (
      <>
        {truncatedAt ? (
          <Alert variant="warning" className="small py-2">
            {t('truncated', { day: formatCalendarDate(truncatedAt, i18n.language) })}
          </Alert>
        ) : null}
        <div className="chart-area mb-3">{chart}</div>
        <TableScroll label={tableLabel}>
          <Table size="sm" hover className="align-middle mb-0" data-testid={`report-${id}-table`}>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.key} scope="col" className={column.numeric ? 'text-end' : undefined}>
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((column) => (
                    <td key={column.key} className={column.numeric ? 'text-end text-nowrap' : 'text-nowrap'}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            {footer ? <tfoot>{footer}</tfoot> : null}
          </Table>
        </TableScroll>
        {rows.length > TABLE_STEP ? (
          <div className="d-flex flex-wrap align-items-center gap-2 mt-2 small text-body-secondary">
            <span>
              {t('rowsShown', {
                shown: formatNumber(visible.length, i18n.language),
                total: formatNumber(rows.length, i18n.language),
              })}
            </span>
            {shown < rows.length ? (
              <Button variant="link" size="sm" className="p-0" onClick={() => setShown(shown + TABLE_STEP)}>
                {t('showMore', { count: Math.min(TABLE_STEP, rows.length - shown) })}
              </Button>
            ) : null}
          </div>
        ) : null}
      </>
    );
  }
  return (
    <section className="card report-card" aria-labelledby={headingId}>
      <div className="card-body">
        <div className="d-flex flex-wrap align-items-center gap-2 mb-3">
          <h2 id={headingId} className="h6 card-title mb-0 flex-grow-1">
            {title}
          </h2>
          {csvHref ? (
            <a
              className="btn btn-outline-secondary btn-sm"
              href={csvHref}
              download
              aria-label={t('csvLabel', { title })}
            >
              <Icon name="download" className="me-1" />
              {t('csv')}
            </a>
          ) : null}
        </div>
        {body}
      </div>
    </section>
  );
}
