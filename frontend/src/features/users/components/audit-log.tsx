import { useId } from 'react';
import Form from 'react-bootstrap/Form';
import { useSearchParams } from 'react-router';

import type { AuditLogRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { Icon } from '@/components/ui/icon';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { Pager } from '@/components/ui/pager';
import { formatDateTime } from '@/lib/format';

import { AUDIT_ACTIONS, AUDIT_PAGE_SIZE, auditCsvHref, useAudit } from '../api/audit';
import { useUsersTranslation } from '../i18n';
import { TableScroll } from '@/components/ui/table-scroll';

/** The audit log, newest first, filtered by action (both kept in the URL). */
export function AuditLog() {
  const { t, i18n } = useUsersTranslation();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const audit = useAudit(action, page);

  const actionLabel = (value: string) => {
    const labels = t('actions', { returnObjects: true }) as Record<string, string>;
    return labels[value] ?? value;
  };
  const setParam = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      if (key !== 'page') next.delete('page');
      return next;
    });

  let body;
  if (audit.isPending) body = <LoadingState />;
  else if (audit.isError) {
    body = <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />;
  } else if (audit.data.items.length === 0) {
    body = (
      <EmptyState
        icon="shield-lock"
        title={t('audit.emptyTitle')}
        description={t('audit.emptyDescription')}
      />
    );
  } else {
    body = (
      <>
        <TableScroll label={t('audit.label')}>
          <table className="table table-sm align-middle small mb-0" aria-label={t('audit.label')}>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.what')}</th>
                <th scope="col" className="d-none d-md-table-cell">
                  {t('audit.object')}
                </th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('audit.address')}
                </th>
                <th scope="col">{t('audit.result')}</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.items.map((entry) => (
                <AuditRow
                  key={entry.id}
                  entry={entry}
                  label={actionLabel(entry.action)}
                  lang={i18n.language}
                />
              ))}
            </tbody>
          </table>
        </TableScroll>
        <Pager
          page={page}
          pageSize={AUDIT_PAGE_SIZE}
          total={audit.data.total}
          onPageChange={(next) => setParam('page', next > 1 ? String(next) : '')}
          label={t('audit.pagesLabel')}
        />
      </>
    );
  }

  return (
    <>
      <div className="d-flex flex-wrap align-items-end gap-2 mb-3">
        <Form.Group controlId={`${id}-action`} className="audit-filter flex-grow-1">
          <Form.Label className="small mb-1">{t('audit.action')}</Form.Label>
          <Form.Select value={action} onChange={(event) => setParam('action', event.target.value)}>
            <option value="">{t('audit.allActions')}</option>
            {AUDIT_ACTIONS.map((value) => (
              <option key={value} value={value}>
                {actionLabel(value)}
              </option>
            ))}
            {action && !(AUDIT_ACTIONS as readonly string[]).includes(action) ? (
              <option value={action}>{action}</option>
            ) : null}
          </Form.Select>
        </Form.Group>
        <a
          className="btn btn-outline-secondary btn-sm"
          href={auditCsvHref(action, i18n.language)}
          download
          aria-label={t('audit.csvLabel')}
        >
          <Icon name="download" className="me-1" />
          {t('audit.csv')}
        </a>
      </div>
      {body}
    </>
  );
}

function AuditRow({ entry, label, lang }: { entry: AuditLogRead; label: string; lang: string }) {
  const { t } = useUsersTranslation();
  const detail = entry.detail && Object.keys(entry.detail).length > 0 ? entry.detail : null;
  return (
    <tr data-testid="audit-row">
      <td className="text-nowrap">
        <time dateTime={entry.created_at}>{formatDateTime(entry.created_at, lang)}</time>
      </td>
      <td className="text-break">{entry.username ?? t('audit.system')}</td>
      <td>
        <span title={entry.action}>{label}</span>
        {entry.message ? (
          <span className="d-block text-body-secondary text-break">{entry.message}</span>
        ) : null}
        {detail ? (
          <details className="mt-1">
            <summary className="text-body-secondary">{t('audit.details')}</summary>
            <pre className="mb-0 mt-1 small audit-detail">{JSON.stringify(detail, null, 2)}</pre>
          </details>
        ) : null}
      </td>
      <td className="d-none d-md-table-cell text-break">
        {entry.object_type ? `${entry.object_type} ${entry.object_id ?? ''}` : '—'}
      </td>
      <td className="d-none d-lg-table-cell text-nowrap">{entry.ip_address ?? '—'}</td>
      <td>
        <span className={`badge ${entry.success ? 'text-bg-success' : 'text-bg-danger'}`}>
          {entry.success ? t('audit.ok') : t('audit.failed')}
        </span>
      </td>
    </tr>
  );
}
