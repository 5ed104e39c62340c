import './jobs.css';

import { type ReactNode, useId, useState } from 'react';
import Button from 'react-bootstrap/Button';
import { Link } from 'react-router';

import type { JobDetail } from '@/api/generated/types.gen';
import { SvgIcon } from '@/components/ui/svg-icon';
import { paths } from '@/config/paths';
import { formatDateTime, formatNumber } from '@/lib/format';
import { formatMoney } from '@/lib/format-br';

import { isActive } from '../api/get-jobs';
import { useJobsTranslation } from '../i18n';
import { parseJobResult } from '../lib/result';
import { icons } from './icons';
import { JobActions } from './job-actions';
import { JobProgress } from './job-progress';
import { JobResultView } from './job-result';
import { JobStatusBadge } from './job-status-badge';

function Card({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="card mb-3" aria-labelledby={id}>
      <div className="card-body">
        <h2 className="h6 card-title mb-3" id={id}>
          {title}
        </h2>
        {children}
      </div>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="col-sm-5 fw-normal text-body-secondary">{label}</dt>
      <dd className="col-sm-7 text-break">{children}</dd>
    </>
  );
}

export interface JobDetailViewProps {
  job: JobDetail;
  instanceName: string;
  /** Operators and admins may retry and cancel. */
  canAct: boolean;
}

/** One job: image, progress or error, the extracted data, OCR, reply and bookkeeping. */
export function JobDetailView({ job, instanceName, canAct }: JobDetailViewProps) {
  const { t, i18n } = useJobsTranslation();
  const lang = i18n.language;
  const result = parseJobResult(job.result);
  const [showRaw, setShowRaw] = useState(false);
  const rawId = useId();
  const when = (value: string | null) => (value ? formatDateTime(value, lang) : '—');

  return (
    <>
      <title>{`${t('detail.title', { id: job.id })} · evodash`}</title>
      <Link to={paths.jobs.getHref()} className="d-inline-flex align-items-center gap-1 mb-3 small">
        <SvgIcon svg={icons.arrowLeft} />
        {t('detail.back')}
      </Link>
      <header className="d-flex flex-column flex-sm-row align-items-sm-start gap-3 mb-4">
        <div className="flex-grow-1">
          <h1 className="h3 mb-1 d-flex align-items-center gap-2 flex-wrap">
            {t('detail.title', { id: job.id })} <JobStatusBadge status={job.status} />
          </h1>
          <p className="text-body-secondary mb-0">
            {instanceName} · {formatDateTime(job.created_at, lang)}
          </p>
        </div>
        {canAct ? <JobActions job={job} /> : null}
      </header>

      <div className="row g-3">
        <div className="col-12 col-lg-5">
          <Card title={t('detail.image')}>
            {job.image_url ? (
              <>
                <a href={job.image_url} target="_blank" rel="noreferrer" className="d-block">
                  <img
                    src={job.thumbnail_url ?? job.image_url}
                    alt={t('detail.imageAlt', { id: job.id })}
                    className="job-image"
                  />
                </a>
                <a
                  href={job.image_url}
                  target="_blank"
                  rel="noreferrer"
                  className="d-inline-flex align-items-center gap-1 small mt-2"
                >
                  <SvgIcon svg={icons.boxArrowUpRight} />
                  {t('detail.openOriginal')}
                </a>
                {result?.image ? (
                  <p className="small text-body-secondary mb-0 mt-1">
                    {t('detail.imageInfo', {
                      format: result.image.format ?? job.media_mimetype ?? '',
                      width: result.image.width ?? '?',
                      height: result.image.height ?? '?',
                      size: result.image.size_bytes
                        ? `${formatNumber(Math.round(result.image.size_bytes / 1024), lang)} KB`
                        : '',
                    })}
                  </p>
                ) : null}
              </>
            ) : (
              <p className="text-body-secondary mb-0">{t('detail.noImage')}</p>
            )}
          </Card>
        </div>

        <div className="col-12 col-lg-7">
          {isActive(job) ? (
            <Card title={t('detail.progress')}>
              <JobProgress job={job} label={t('detail.progressLabel')} />
            </Card>
          ) : null}

          {job.status === 'failed' || (job.error && isActive(job)) ? (
            <div className="alert alert-danger" role="alert">
              <h2 className="h6 alert-heading">{t('detail.failed')}</h2>
              <p className="mb-1 text-break">{job.error}</p>
              <p className="mb-0 small">
                {job.status === 'failed'
                  ? t('detail.noMoreRetries', { attempts: job.attempts, max: job.max_attempts })
                  : t('detail.willRetry', { time: formatDateTime(job.run_after, lang) })}
              </p>
            </div>
          ) : null}

          <Card title={t('detail.extracted')}>
            {job.status === 'succeeded' ? (
              <JobResultView result={result} />
            ) : (
              <p className="text-body-secondary mb-0">{t('detail.notYet')}</p>
            )}
          </Card>

          {result?.pix ? (
            <Card title={t('detail.pix')}>
              <dl className="row small mb-0">
                {result.pix.merchant_name ? (
                  <Row label={t('detail.pixMerchant')}>{result.pix.merchant_name}</Row>
                ) : null}
                {result.pix.merchant_city ? (
                  <Row label={t('detail.pixCity')}>{result.pix.merchant_city}</Row>
                ) : null}
                {result.pix.amount ? (
                  <Row label={t('detail.fields.amount')}>
                    {formatMoney(result.pix.amount, lang)}
                  </Row>
                ) : null}
                <Row label={t('detail.pixKind')}>
                  {result.pix.url ? t('detail.pixDynamic') : t('detail.pixStatic')}
                </Row>
                {result.pix.txid ? <Row label={t('detail.pixTxid')}>{result.pix.txid}</Row> : null}
              </dl>
            </Card>
          ) : null}

          {result?.ocr ? (
            <Card title={t('detail.ocr')}>
              {result.ocr.performed ? (
                <p className="small mb-2">
                  {t('detail.ocrDone', {
                    ms: formatNumber(result.ocr.duration_ms ?? 0, lang),
                    languages: result.ocr.languages ?? '—',
                  })}
                </p>
              ) : (
                <p className="small mb-0" data-testid="ocr-skipped">
                  <SvgIcon svg={icons.infoCircle} className="me-1" />
                  {result.ocr.skipped_reason
                    ? t('detail.ocrSkipped', { reason: result.ocr.skipped_reason })
                    : t('detail.ocrSkippedNoReason')}
                </p>
              )}
              {result.ocr.performed && result.ocr.text_excerpt ? (
                <details>
                  <summary className="small">{t('detail.ocrText')}</summary>
                  <pre className="job-pre small border rounded p-2 mt-2 mb-0" tabIndex={0}>
                    {result.ocr.text_excerpt}
                  </pre>
                </details>
              ) : null}
            </Card>
          ) : null}

          {result?.summary_text || result?.reply ? (
            <Card title={t('detail.summaryText')}>
              {result.summary_text ? (
                <pre className="job-pre small border rounded p-2 mb-2">{result.summary_text}</pre>
              ) : null}
              {result.reply ? (
                <p className={`small mb-0 ${result.reply.sent ? 'text-success' : 'text-danger'}`}>
                  {result.reply.sent
                    ? t('detail.replySent', { to: result.reply.to ?? '' })
                    : t('detail.replyFailed', { error: result.reply.error ?? '' })}
                </p>
              ) : null}
            </Card>
          ) : null}

          <Card title={t('detail.details')}>
            <dl className="row small mb-0">
              <Row label={t('detail.attempts')}>
                {t('detail.attemptsValue', { attempts: job.attempts, max: job.max_attempts })}
              </Row>
              <Row label={t('detail.instance')}>{instanceName}</Row>
              {job.message_id !== null ? (
                <Row label={t('detail.message')}>
                  <Link to={paths.message.getHref(job.message_id)}>
                    <SvgIcon svg={icons.chatDots} className="me-1" />
                    {t('detail.openMessage', { id: job.message_id })}
                  </Link>
                </Row>
              ) : null}
              <Row label={t('detail.createdAt')}>{when(job.created_at)}</Row>
              <Row label={t('detail.startedAt')}>{when(job.started_at)}</Row>
              <Row label={t('detail.finishedAt')}>{when(job.finished_at)}</Row>
              {isActive(job) ? <Row label={t('detail.runAfter')}>{when(job.run_after)}</Row> : null}
              {job.media_mimetype ? (
                <Row label={t('detail.mimetype')}>{job.media_mimetype}</Row>
              ) : null}
              {job.media_sha256 ? (
                <Row label={t('detail.sha256')}>
                  <code className="small">{job.media_sha256}</code>
                </Row>
              ) : null}
              {result && Object.keys(result.timings_ms).length > 0 ? (
                <Row label={t('detail.timings')}>
                  {Object.entries(result.timings_ms)
                    .map(([step, ms]) => `${step} ${formatNumber(ms, lang)} ms`)
                    .join(' · ')}
                </Row>
              ) : null}
            </dl>
            {job.result ? (
              <div className="mt-2">
                <Button
                  variant="outline-secondary"
                  size="sm"
                  aria-expanded={showRaw}
                  aria-controls={rawId}
                  onClick={() => setShowRaw((value) => !value)}
                >
                  <SvgIcon svg={icons.braces} className="me-1" />
                  {showRaw ? t('detail.rawHide') : t('detail.rawShow')}
                </Button>
                <pre
                  id={rawId}
                  hidden={!showRaw}
                  className="job-pre small border rounded p-2 mt-2 mb-0"
                  tabIndex={0}
                >
                  {showRaw ? JSON.stringify(job.result, null, 2) : ''}
                </pre>
              </div>
            ) : null}
          </Card>
        </div>
      </div>
    </>
  );
}
