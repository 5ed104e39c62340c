import './ledger.css';

import { useMemo, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Dropdown from 'react-bootstrap/Dropdown';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';
import { Link, useSearchParams } from 'react-router';

import type { InvoicePage, InvoiceRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { RowActionsMenu } from '@/components/ui/row-actions-menu';
import { Pager } from '@/components/ui/pager';
import { TableScroll } from '@/components/ui/table-scroll';
import { paths } from '@/config/paths';
import { copyText } from '@/lib/clipboard';
import { useInstanceNames } from '@/lib/instance-names';
import { formatCalendarDate, formatCnpj, formatMoney, formatPhone } from '@/lib/format-br';
import { formatDateTime, formatNumber } from '@/lib/format';

import { INVOICES_PAGE_SIZE, invoicesCsvHref, useInvoices, useSetInvoiceStatus } from '../api/invoices';
import { useLedgerTranslation } from '../i18n';
import {
  INVOICE_STATUSES,
  type InvoiceFilters,
  type InvoiceStatus,
  NO_INVOICE_FILTERS,
  parseAmount,
  readInvoiceFilters,
  readInvoicePage,
  writeInvoiceFilters,
} from '../lib/filters';

interface Feedback {
  variant: 'success' | 'danger';
  text: string;
}

const STATUS_VARIANT: Record<InvoiceStatus, string> = {
  open: 'warning',
  paid: 'success',
  ignored: 'secondary',
};

/** Faturas: the invoice ledger, its totals, and paid / ignored marks. */
export function InvoicesPage({ canOperate }: { canOperate: boolean }) {
  const { t, i18n } = useLedgerTranslation();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => readInvoiceFilters(search), [search]);
  const page = readInvoicePage(search);
  const [sep, setSep] = useState<',' | ';'>(i18n.language.startsWith('pt') ? ';' : ',');
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const invoices = useInvoices(filters, page);
  const instances = useInstanceNames();
  const setStatus = useSetInvoiceStatus();
  const names = useMemo(
    () => new Map((instances.data ?? []).map((option) => [option.id, option.name])),
    [instances.data],
  );

  const apply = (next: InvoiceFilters) => setSearch(writeInvoiceFilters(next), { replace: true });
  const mark = (invoice: InvoiceRead, status: InvoiceStatus) => {
    setFeedback(null);
    setStatus.mutate(
      { id: invoice.id, status },
      {
        onSuccess: (updated) =>
          setFeedback({
            variant: 'success',
            text: t('updated', { id: updated.id, status: t(`status.${updated.status}`) }),
          }),
        onError: () => setFeedback({ variant: 'danger', text: t('updateFailed', { id: invoice.id }) }),
      },
    );
  };
  const copied = (invoice: InvoiceRead, what: CopyWhat, value: string, ok: boolean) =>
    setFeedback(
      ok
        ? { variant: 'success', text: t(`copy.done.${what}`, { id: invoice.id }) }
        : { variant: 'danger', text: t('copy.failed', { value }) },
    );
  const money = (value: string | number | null | undefined) => formatMoney(value, i18n.language);

  let body;
  if (invoices.isPending) {
    body = <LoadingState />;
  } else if (invoices.isError) {
    body = <ErrorState error={invoices.error} onRetry={() => void invoices.refetch()} />;
  } else if (invoices.data.items.length === 0) {
    body = <EmptyState icon="receipt" title={t('empty')} description={t('emptyHelp')} />;
  } else {
    const data = invoices.data;
    body = (
      <>
        <Totals data={data} money={money} />
        <TableScroll label={t('tableLabel')}>
          <Table hover size="sm" className="align-middle mb-0">
            <thead>
              <tr>
                <th scope="col">{t('columns.due')}</th>
                <th scope="col" className="text-end">
                  {t('columns.amount')}
                </th>
                <th scope="col">{t('columns.beneficiary')}</th>
                <th scope="col">{t('columns.payment')}</th>
                <th scope="col">{t('columns.sender')}</th>
                <th scope="col" className="d-none d-xxl-table-cell">
                  {t('columns.instance')}
                </th>
                <th scope="col">{t('columns.status')}</th>
                {/* Sticky, hence positioned: the hidden header's box stays inside the scroller. */}
                <th scope="col" className="text-end invoice-actions">
                  <span className="visually-hidden">{t('columns.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((invoice) => {
                const instance =
                  invoice.instance_id === null
                    ? null
                    : (names.get(invoice.instance_id) ??
                      invoice.instance_name ??
                      t('instanceFallback', { id: invoice.instance_id }));
                return (
                  <tr key={invoice.id} data-testid="invoice-row">
                    <td className="text-nowrap">{formatCalendarDate(invoice.due_date, i18n.language) || '—'}</td>
                    <td className="text-end text-nowrap fw-semibold">{money(invoice.amount) || '—'}</td>
                    <td>
                      <div className="text-break">{invoice.beneficiary ?? '—'}</div>
                      {invoice.cnpj ? (
                        <div className="small text-body-secondary text-nowrap">{formatCnpj(invoice.cnpj)}</div>
                      ) : null}
                    </td>
                    <td className="small">
                      {invoice.typeable_line ? <PaymentCode label={t('boleto')} value={invoice.typeable_line} /> : null}
                      {invoice.pix_key || invoice.pix_txid ? (
                        <PaymentCode label={t('pix')} value={invoice.pix_key ?? invoice.pix_txid ?? ''} />
                      ) : null}
                      {invoice.duplicate ? (
                        <Badge bg="danger" className="mt-1" title={t('duplicateHelp')}>
                          {t('duplicate')}
                        </Badge>
                      ) : null}
                    </td>
                    <td>
                      <div className="text-nowrap">{formatPhone(invoice.sender_phone) || '—'}</div>
                      {instance !== null ? (
                        // The instance under the sender below 1,400 px; its own column from there.
                        <div className="small text-body-secondary text-break d-xxl-none">{instance}</div>
                      ) : null}
                    </td>
                    <td className="d-none d-xxl-table-cell text-break">{instance ?? '—'}</td>
                    <td>
                      <Badge bg={STATUS_VARIANT[invoice.status]} text={invoice.status === 'open' ? 'dark' : undefined}>
                        {t(`status.${invoice.status}`)}
                      </Badge>
                      {invoice.status !== 'open' && invoice.status_by && invoice.status_at ? (
                        <div className="small text-body-secondary text-break" data-testid="invoice-status-by">
                          {t('statusBy', {
                            status: t(`status.${invoice.status}`),
                            who: invoice.status_by,
                            when: formatDateTime(invoice.status_at, i18n.language),
                          })}
                        </div>
                      ) : null}
                    </td>
                    <td className="text-end invoice-actions">
                      <RowMenu
                        invoice={invoice}
                        canOperate={canOperate}
                        busy={setStatus.isPending}
                        pending={setStatus.isPending && setStatus.variables.id === invoice.id}
                        onMark={mark}
                        onCopied={copied}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </TableScroll>
        <Pager
          page={data.page}
          pageSize={INVOICES_PAGE_SIZE}
          total={data.total}
          label={t('pages')}
          onPageChange={(next) => setSearch(writeInvoiceFilters(filters, next))}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <div className="d-flex flex-wrap gap-2 align-items-end">
            <Form.Group controlId="invoices-separator">
              <Form.Label className="small mb-1">{t('separator')}</Form.Label>
              <Form.Select size="sm" value={sep} onChange={(event) => setSep(event.target.value as ',' | ';')}>
                <option value=";">{t('semicolon')}</option>
                <option value=",">{t('comma')}</option>
              </Form.Select>
            </Form.Group>
            <a className="btn btn-outline-secondary btn-sm" href={invoicesCsvHref(filters, sep)} download>
              <Icon name="download" className="me-1" />
              {t('csv')}
            </a>
          </div>
        }
      />
      <Filters key={search.toString()} filters={filters} onApply={apply} instances={instances.data ?? []} />
      <div aria-live="polite">
        {feedback ? (
          <Alert variant={feedback.variant} dismissible onClose={() => setFeedback(null)}>
            {feedback.text}
          </Alert>
        ) : null}
      </div>
      {body}
    </>
  );
}

/** A boleto line or PIX key on one line, cut with an ellipsis; the whole of it on hover and
 * in the row's menu (copy). */
function PaymentCode({ label, value }: { label: string; value: string }) {
  return (
    <div className="d-flex gap-1 text-nowrap">
      <span className="text-body-secondary">{label}:</span>
      <span className="font-monospace text-truncate d-inline-block invoice-code" title={value}>
        {value}
      </span>
    </div>
  );
}

type CopyWhat = 'boleto' | 'pixKey' | 'pixTxid';

/**
 * A row's actions in one menu, so that the table fits its card: the status changes (for
 * operators), where the invoice came from, and the payment codes to the clipboard (the
 * table shows them cut short).
 */
function RowMenu({
  invoice,
  canOperate,
  busy,
  pending,
  onMark,
  onCopied,
}: {
  invoice: InvoiceRead;
  canOperate: boolean;
  busy: boolean;
  pending: boolean;
  onMark: (invoice: InvoiceRead, status: InvoiceStatus) => void;
  onCopied: (invoice: InvoiceRead, what: CopyWhat, value: string, ok: boolean) => void;
}) {
  const { t } = useLedgerTranslation();
  const codes: [CopyWhat, string | null][] = [
    ['boleto', invoice.typeable_line],
    ['pixKey', invoice.pix_key],
    ['pixTxid', invoice.pix_txid],
  ];
  const copy = (what: CopyWhat, value: string) => {
    copyText(value).then(
      () => onCopied(invoice, what, value, true),
      () => onCopied(invoice, what, value, false),
    );
  };
  return (
    <Dropdown align="end">
      <Dropdown.Toggle
        variant="outline-secondary"
        size="sm"
        aria-label={t('actionsFor', { id: invoice.id })}
      >
        {pending ? <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" /> : null}
        {t('columns.actions')}
      </Dropdown.Toggle>
      <RowActionsMenu>
        {canOperate ? (
          <>
            {invoice.status === 'open' ? (
              <>
                <Dropdown.Item as="button" disabled={busy} onClick={() => onMark(invoice, 'paid')}>
                  {t('markPaidLabel', { id: invoice.id })}
                </Dropdown.Item>
                <Dropdown.Item as="button" disabled={busy} onClick={() => onMark(invoice, 'ignored')}>
                  {t('markIgnoredLabel', { id: invoice.id })}
                </Dropdown.Item>
              </>
            ) : (
              <Dropdown.Item as="button" disabled={busy} onClick={() => onMark(invoice, 'open')}>
                {t('reopenLabel', { id: invoice.id })}
              </Dropdown.Item>
            )}
            <Dropdown.Divider />
          </>
        ) : null}
        {invoice.message_id !== null ? (
          <Dropdown.Item
            as={Link}
            to={paths.message.getHref(invoice.message_id)}
            aria-label={t('messageLabel', { id: invoice.id })}
          >
            {t('message')}
          </Dropdown.Item>
        ) : null}
        <Dropdown.Item as={Link} to={paths.job.getHref(invoice.job_id)} aria-label={t('jobLabel', { id: invoice.id })}>
          {t('job')}
        </Dropdown.Item>
        <Dropdown.Item
          href={invoice.image_url}
          target="_blank"
          rel="noreferrer"
          aria-label={t('imageLabel', { id: invoice.id })}
        >
          {t('image')}
        </Dropdown.Item>
        {codes.some(([, value]) => value) ? <Dropdown.Divider /> : null}
        {codes.map(([what, value]) =>
          value ? (
            <Dropdown.Item key={what} as="button" onClick={() => copy(what, value)}>
              {t(`copy.${what}`)}
            </Dropdown.Item>
          ) : null,
        )}
      </RowActionsMenu>
    </Dropdown>
  );
}

function Totals({ data, money }: { data: InvoicePage; money: (value: string) => string }) {
  const { t, i18n } = useLedgerTranslation();
  const monthLabel = (month: string) => {
    const match = /^(\d{4})-(\d{2})$/.exec(month);
    if (!match) return t('totals.noDue');
    return new Intl.DateTimeFormat(i18n.language, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)),
    );
  };
  return (
    <section className="card mb-3" aria-labelledby="invoice-totals-title">
      <div className="card-body">
        <h2 id="invoice-totals-title" className="h6 card-title">
          {t('totals.title')}
        </h2>
        <p className="mb-2" data-testid="invoice-totals">
          <strong>{money(data.amount_total)}</strong>{' '}
          <span className="text-body-secondary">
            ({t('totals.count', { count: data.total, n: formatNumber(data.total, i18n.language) })})
          </span>
        </p>
        {data.per_month.length > 0 ? (
          <TableScroll label={t('totals.perMonth')}>
            <Table size="sm" className="mb-0 w-auto" data-testid="invoice-months">
              <caption className="caption-top small">{t('totals.perMonth')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('totals.month')}</th>
                  <th scope="col" className="text-end">
                    {t('totals.invoices')}
                  </th>
                  <th scope="col" className="text-end">
                    {t('totals.value')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.per_month.map((row) => (
                  <tr key={row.month}>
                    <td>{monthLabel(row.month)}</td>
                    <td className="text-end">{formatNumber(row.count, i18n.language)}</td>
                    <td className="text-end text-nowrap">{money(row.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </TableScroll>
        ) : null}
      </div>
    </section>
  );
}

function Filters({
  filters,
  onApply,
  instances,
}: {
  filters: InvoiceFilters;
  onApply: (filters: InvoiceFilters) => void;
  instances: { id: number; name: string }[];
}) {
  const { t } = useLedgerTranslation();
  const [draft, setDraft] = useState(filters);
  const badMin = draft.amountMin !== '' && parseAmount(draft.amountMin) === null;
  const badMax = draft.amountMax !== '' && parseAmount(draft.amountMax) === null;
  const set = (patch: Partial<InvoiceFilters>) => setDraft({ ...draft, ...patch });
  return (
    <Form
      noValidate
      className="row g-2 align-items-end mb-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (!badMin && !badMax) onApply(draft);
      }}
    >
      <Form.Group className="col-6 col-lg-3" controlId="invoices-due-from">
        <Form.Label className="small mb-1">{t('filters.dueFrom')}</Form.Label>
        <Form.Control type="date" value={draft.dueFrom} onChange={(e) => set({ dueFrom: e.target.value })} />
      </Form.Group>
      <Form.Group className="col-6 col-lg-3" controlId="invoices-due-to">
        <Form.Label className="small mb-1">{t('filters.dueTo')}</Form.Label>
        <Form.Control type="date" value={draft.dueTo} onChange={(e) => set({ dueTo: e.target.value })} />
      </Form.Group>
      <Form.Group className="col-sm-6 col-lg-3" controlId="invoices-instance">
        <Form.Label className="small mb-1">{t('filters.instance')}</Form.Label>
        <Form.Select
          value={draft.instanceId ?? ''}
          onChange={(e) => set({ instanceId: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">{t('filters.allInstances')}</option>
          {instances.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </Form.Select>
      </Form.Group>
      <Form.Group className="col-sm-6 col-lg-3" controlId="invoices-sender">
        <Form.Label className="small mb-1">{t('filters.sender')}</Form.Label>
        <Form.Control
          value={draft.sender}
          maxLength={64}
          inputMode="tel"
          placeholder={t('filters.senderPlaceholder')}
          onChange={(e) => set({ sender: e.target.value })}
        />
      </Form.Group>
      <Form.Group className="col-6 col-lg-3" controlId="invoices-min">
        <Form.Label className="small mb-1">{t('filters.amountMin')}</Form.Label>
        <Form.Control
          value={draft.amountMin}
          inputMode="decimal"
          maxLength={20}
          isInvalid={badMin}
          onChange={(e) => set({ amountMin: e.target.value })}
        />
        {badMin ? <Form.Control.Feedback type="invalid">{t('filters.badAmount')}</Form.Control.Feedback> : null}
      </Form.Group>
      <Form.Group className="col-6 col-lg-3" controlId="invoices-max">
        <Form.Label className="small mb-1">{t('filters.amountMax')}</Form.Label>
        <Form.Control
          value={draft.amountMax}
          inputMode="decimal"
          maxLength={20}
          isInvalid={badMax}
          onChange={(e) => set({ amountMax: e.target.value })}
        />
        {badMax ? <Form.Control.Feedback type="invalid">{t('filters.badAmount')}</Form.Control.Feedback> : null}
      </Form.Group>
      <Form.Group className="col-sm-6 col-lg-3" controlId="invoices-status">
        <Form.Label className="small mb-1">{t('filters.status')}</Form.Label>
        <Form.Select
          value={draft.status}
          onChange={(e) => onApply({ ...draft, status: e.target.value as InvoiceStatus | '' })}
        >
          <option value="">{t('filters.anyStatus')}</option>
          {INVOICE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`status.${status}`)}
            </option>
          ))}
        </Form.Select>
      </Form.Group>
      <div className="col-sm-6 col-lg-3 d-flex gap-2 align-items-end">
        <Button type="submit" variant="primary">
          {t('filters.apply')}
        </Button>
        <Button variant="link" onClick={() => onApply(NO_INVOICE_FILTERS)}>
          {t('filters.clear')}
        </Button>
      </div>
    </Form>
  );
}
