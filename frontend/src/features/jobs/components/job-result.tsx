import type { ReactNode } from 'react';

import { CopyButton } from '@/components/ui/copy-button';
import { Icon } from '@/components/ui/icon';
import { formatCalendarDate, formatCnpj, formatMoney } from '@/lib/format-br';

import { useJobsTranslation } from '../i18n';
import {
  hasExtractedData,
  type JobResult,
  onlyFromOcr,
  SOURCES,
  type SummaryField,
} from '../lib/result';

const SOURCE_VARIANTS: Record<string, string> = {
  boleto_barcode: 'text-bg-success',
  pix_qr: 'text-bg-success',
  boleto_line_ocr: 'text-bg-info',
  ocr: 'text-bg-warning',
};

/**
 * What the job read from the image: amount, due date, beneficiary, CNPJ, PIX key and the
 * typeable line (both copyable), where each came from, and warnings.
 */
export function JobResultView({ result }: { result: JobResult | null }) {
  const { t, i18n } = useJobsTranslation();
  const summary = result?.summary;
  if (!summary || !hasExtractedData(summary)) {
    return <p className="text-body-secondary mb-0">{t('detail.nothingFound')}</p>;
  }

  const sourceOf = (field: SummaryField) => {
    const source = summary.sources[field];
    if (!source) return null;
    const name = (SOURCES as readonly string[]).includes(source)
      ? t(`detail.sources.${source}`)
      : source;
    return (
      <span
        className={`badge rounded-pill ${SOURCE_VARIANTS[source] ?? 'text-bg-secondary'} d-table mt-1 fw-normal`}
        title={t('detail.source', { source: name })}
      >
        <span className="visually-hidden">{t('detail.source', { source: '' })}</span>
        {name}
      </span>
    );
  };

  const rows: { field: SummaryField; value: ReactNode; copy?: string }[] = [];
  if (summary.amount !== null && summary.amount !== undefined) {
    rows.push({
      field: 'amount',
      value: <strong className="fs-5">{formatMoney(summary.amount, i18n.language)}</strong>,
    });
  }
  if (summary.due_date) {
    rows.push({ field: 'due_date', value: formatCalendarDate(summary.due_date, i18n.language) });
  }
  if (summary.beneficiary) rows.push({ field: 'beneficiary', value: summary.beneficiary });
  if (summary.cnpj) {
    rows.push({
      field: 'cnpj',
      value: formatCnpj(summary.cnpj),
      copy: summary.cnpj.replace(/\D/g, ''),
    });
  }
  if (summary.pix_key) {
    rows.push({
      field: 'pix_key',
      value: <span className="font-monospace">{summary.pix_key}</span>,
      copy: summary.pix_key,
    });
  }
  if (summary.typeable_line) {
    rows.push({
      field: 'typeable_line',
      value: <span className="font-monospace typeable-line">{summary.typeable_line}</span>,
      // Banking apps take the digits; the dots and spaces are for reading.
      copy: summary.typeable_line.replace(/\D/g, ''),
    });
  }

  return (
    <>
      {onlyFromOcr(summary) ? (
        <div className="alert alert-warning py-2 small d-flex gap-2">
          <Icon name="exclamation-triangle" className="mt-1" />
          <span>{t('detail.ocrOnly')}</span>
        </div>
      ) : null}
      <dl className="mb-0 job-fields">
        {rows.map(({ field, value, copy }) => {
          const label = t(`detail.fields.${field}`);
          return (
            <div key={field} className="row g-2 py-2 border-bottom" data-field={field}>
              <dt className="col-sm-4 fw-normal text-body-secondary">{label}</dt>
              <dd className="col-sm-8 mb-0 d-flex align-items-start gap-2">
                <span className="job-field-value flex-grow-1">
                  {value}
                  {sourceOf(field)}
                </span>
                {copy ? (
                  <CopyButton text={copy} label={t('detail.copyField', { name: label })} />
                ) : null}
              </dd>
            </div>
          );
        })}
      </dl>
      {summary.warnings.length > 0 ? (
        <div className="alert alert-warning mt-3 mb-0 small">
          <p className="fw-semibold mb-1">{t('detail.warnings')}</p>
          <ul className="mb-0 ps-3">
            {summary.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
