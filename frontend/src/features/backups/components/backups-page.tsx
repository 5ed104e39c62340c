import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';

import type { Backup, ImportReport } from '@/api/generated/types.gen';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { TableScroll } from '@/components/ui/table-scroll';
import { formatBytes, formatDateTime, formatNumber } from '@/lib/format';

import {
  BACKUP_MAX_BYTES,
  useBackupStatus,
  useEraseSubject,
  useExportBackup,
  useExportSubject,
  useImportBackup,
} from '../api/backups';
import { useBackupsTranslation } from '../i18n';

const MIN_PASSPHRASE = 8;

function Busy({ on }: { on: boolean }) {
  return on ? <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" /> : null;
}

/** Backups & LGPD (admins): automatic backups, export, import with a preview, subject requests. */
export function BackupsPage() {
  const { t } = useBackupsTranslation();
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div className="row g-3">
        <div className="col-12">
          <StatusCard />
        </div>
        <div className="col-lg-6">
          <ExportCard />
        </div>
        <div className="col-lg-6">
          <ImportCard />
        </div>
        <div className="col-12">
          <PrivacyCard />
        </div>
      </div>
    </>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section className="card h-100" aria-labelledby={`${id}-title`}>
      <div className="card-body">
        <h2 id={`${id}-title`} className="h5 card-title">
          {title}
        </h2>
        {children}
      </div>
    </section>
  );
}

function StatusCard() {
  const { t, i18n } = useBackupsTranslation();
  const status = useBackupStatus();
  const locale = i18n.language;
  let body;
  if (status.isPending) body = <LoadingState />;
  else if (status.isError) body = <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  else {
    const s = status.data;
    const stored = s.stored ?? [];
    body = (
      <>
        <p className="mb-2">
          {s.scheduled
            ? t('status.on', { hours: formatNumber(s.interval_hours, locale), keep: s.keep })
            : t('status.off')}
        </p>
        <p className="mb-2 fw-semibold" data-testid="backup-last">
          {s.last
            ? t('status.last', {
                when: formatDateTime(s.last.created_at, locale),
                size: formatBytes(s.last.size_bytes, locale),
              })
            : t('status.none')}
        </p>
        {s.last_error ? (
          <Alert variant="danger" className="mb-2">
            {t('status.failed', { error: s.last_error })}
          </Alert>
        ) : null}
        {stored.length > 0 ? (
          <TableScroll label={t('status.stored')}>
            <Table size="sm" className="mb-0">
              <caption className="caption-top small">{t('status.stored')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('status.name')}</th>
                  <th scope="col" className="text-end">
                    {t('status.size')}
                  </th>
                  <th scope="col">{t('status.created')}</th>
                </tr>
              </thead>
              <tbody>
                {stored.map((file) => (
                  <tr key={file.name}>
                    <td className="font-monospace small text-break">{file.name}</td>
                    <td className="text-end text-nowrap">{formatBytes(file.size_bytes, locale)}</td>
                    <td className="text-nowrap">{formatDateTime(file.created_at, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </TableScroll>
        ) : null}
      </>
    );
  }
  return (
    <Card id="backup-status" title={t('status.title')}>
      {body}
    </Card>
  );
}

function ExportCard() {
  const { t } = useBackupsTranslation();
  const [passphrase, setPassphrase] = useState('');
  const [touched, setTouched] = useState(false);
  const exporter = useExportBackup();
  const tooShort = passphrase.length < MIN_PASSPHRASE;
  return (
    <Card id="backup-export" title={t('export.title')}>
      <p className="text-body-secondary small">{t('export.help')}</p>
      <Form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (!tooShort) exporter.mutate(passphrase);
        }}
      >
        <Form.Group className="mb-3" controlId="backup-export-passphrase">
          <Form.Label>{t('export.passphrase')}</Form.Label>
          <Form.Control
            type="password"
            autoComplete="new-password"
            maxLength={1000}
            value={passphrase}
            isInvalid={touched && tooShort}
            onChange={(event) => setPassphrase(event.target.value)}
            aria-describedby="backup-export-passphrase-help"
          />
          <Form.Text id="backup-export-passphrase-help">{t('export.passphraseHelp')}</Form.Text>
          <Form.Control.Feedback type="invalid">{t('export.tooShort')}</Form.Control.Feedback>
        </Form.Group>
        <Button type="submit" disabled={exporter.isPending}>
          <Busy on={exporter.isPending} />
          {t('export.submit')}
        </Button>
      </Form>
      <div aria-live="polite" className="mt-3">
        {exporter.isSuccess ? <Alert variant="success">{t('export.done', { name: exporter.data })}</Alert> : null}
        {exporter.isError ? <ErrorState error={exporter.error} /> : null}
      </div>
    </Card>
  );
}

function looksLikeBackup(value: unknown): value is Backup {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { format?: unknown }).format === 'evodash-backup'
  );
}

function ImportCard() {
  const { t } = useBackupsTranslation();
  const [backup, setBackup] = useState<Backup | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const importer = useImportBackup();
  const ready = backup !== null && passphrase.length >= MIN_PASSPHRASE;

  const pick = async (file: File | undefined) => {
    setBackup(null);
    setPreview(null);
    setFileError(null);
    importer.reset();
    if (!file) return;
    if (file.size > BACKUP_MAX_BYTES) {
      setFileError(t('import.tooBig'));
      return;
    }
    try {
      const parsed: unknown = JSON.parse(await file.text());
      if (looksLikeBackup(parsed)) setBackup(parsed);
      else setFileError(t('import.badFile'));
    } catch {
      setFileError(t('import.badFile'));
    }
  };
  const run = (dryRun: boolean) => {
    if (!backup) return;
    importer.mutate(
      { backup, passphrase, dryRun },
      { onSuccess: (report) => setPreview(dryRun ? report : null) },
    );
  };
  const report = importer.data;

  return (
    <Card id="backup-import" title={t('import.title')}>
      <p className="text-body-secondary small">{t('import.help')}</p>
      <Form noValidate onSubmit={(event) => { event.preventDefault(); run(true); }}>
        <Form.Group className="mb-3" controlId="backup-import-file">
          <Form.Label>{t('import.file')}</Form.Label>
          <Form.Control
            type="file"
            accept="application/json,.json"
            isInvalid={fileError !== null}
            onChange={(event) => void pick((event.target as HTMLInputElement).files?.[0])}
          />
          <Form.Control.Feedback type="invalid">{fileError}</Form.Control.Feedback>
        </Form.Group>
        <Form.Group className="mb-3" controlId="backup-import-passphrase">
          <Form.Label>{t('import.passphrase')}</Form.Label>
          <Form.Control
            type="password"
            autoComplete="off"
            maxLength={1000}
            value={passphrase}
            onChange={(event) => {
              setPassphrase(event.target.value);
              setPreview(null);
            }}
          />
        </Form.Group>
        <div className="d-flex flex-wrap gap-2">
          <Button type="submit" variant="outline-primary" disabled={!ready || importer.isPending}>
            <Busy on={importer.isPending && importer.variables.dryRun} />
            {t('import.preview')}
          </Button>
          <Button variant="primary" disabled={!ready || preview === null || importer.isPending} onClick={() => run(false)}>
            <Busy on={importer.isPending && !importer.variables.dryRun} />
            {t('import.apply')}
          </Button>
        </div>
      </Form>
      <div aria-live="polite" className="mt-3">
        {importer.isError ? <ErrorState error={importer.error} /> : null}
        {report ? <ImportCounts report={report} /> : null}
      </div>
    </Card>
  );
}

const KINDS = ['servers', 'instances', 'users', 'api_keys', 'alert_rules'] as const;

function ImportCounts({ report }: { report: ImportReport }) {
  const { t, i18n } = useBackupsTranslation();
  const n = (value: number | undefined) => formatNumber(value ?? 0, i18n.language);
  const title = report.dry_run ? t('import.previewTitle') : t('import.appliedTitle');
  return (
    <Alert variant={report.dry_run ? 'info' : 'success'} className="mb-0">
      <TableScroll label={title}>
        <Table size="sm" className="mb-0 bg-transparent" data-testid={report.dry_run ? 'import-preview' : 'import-applied'}>
          <caption className="caption-top fw-semibold text-body">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('import.kind')}</th>
              <th scope="col" className="text-end">{t('import.created')}</th>
              <th scope="col" className="text-end">{t('import.updated')}</th>
              <th scope="col" className="text-end">{t('import.unchanged')}</th>
            </tr>
          </thead>
          <tbody>
            {KINDS.map((kind) => (
              <tr key={kind}>
                <th scope="row">{t(`import.kinds.${kind}`)}</th>
                <td className="text-end">{n(report[kind]?.created)}</td>
                <td className="text-end">{n(report[kind]?.updated)}</td>
                <td className="text-end">{n(report[kind]?.unchanged)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </TableScroll>
    </Alert>
  );
}

function PrivacyCard() {
  const { t, i18n } = useBackupsTranslation();
  const [phone, setPhone] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const exporter = useExportSubject();
  const eraser = useEraseSubject();
  const digits = (value: string) => value.replace(/\D/g, '');
  const valid = digits(phone).length >= 8 && phone.trim().length <= 64;
  const confirmed = valid && digits(typed) === digits(phone);
  const n = (value: number) => formatNumber(value, i18n.language);

  return (
    <Card id="privacy" title={t('privacy.title')}>
      <p className="text-body-secondary small">{t('privacy.help')}</p>
      <Form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (valid) exporter.mutate(phone.trim());
        }}
      >
        <Form.Group className="mb-3" controlId="privacy-phone" style={{ maxWidth: '24rem' }}>
          <Form.Label>{t('privacy.phone')}</Form.Label>
          <Form.Control
            inputMode="tel"
            maxLength={64}
            placeholder={t('privacy.phonePlaceholder')}
            value={phone}
            isInvalid={touched && !valid}
            onChange={(event) => {
              setPhone(event.target.value);
              exporter.reset();
              eraser.reset();
            }}
          />
          <Form.Control.Feedback type="invalid">{t('privacy.badPhone')}</Form.Control.Feedback>
        </Form.Group>
        <div className="d-flex flex-wrap gap-2">
          <Button type="submit" variant="outline-primary" disabled={exporter.isPending}>
            <Busy on={exporter.isPending} />
            {t('privacy.export')}
          </Button>
          <Button
            variant="outline-danger"
            onClick={() => {
              setTouched(true);
              if (!valid) return;
              setTyped('');
              setConfirming(true);
            }}
          >
            {t('privacy.erase')}
          </Button>
        </div>
      </Form>
      <div aria-live="polite" className="mt-3">
        {exporter.isSuccess ? <Alert variant="success">{t('privacy.exported', { name: exporter.data })}</Alert> : null}
        {exporter.isError ? <ErrorState error={exporter.error} /> : null}
        {eraser.isSuccess ? (
          <Alert variant="success">
            {t('privacy.erased', {
              phone: eraser.data.phone,
              messages: n(eraser.data.messages),
              jobs: n(eraser.data.jobs),
              invoices: n(eraser.data.invoices),
              files: n(eraser.data.media_files),
            })}
          </Alert>
        ) : null}
        {eraser.isError ? <ErrorState error={eraser.error} /> : null}
      </div>
      <Modal show={confirming} onHide={() => setConfirming(false)} centered aria-labelledby="privacy-erase-title">
        <Form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (!confirmed) return;
            eraser.mutate(phone.trim(), { onSettled: () => setConfirming(false) });
          }}
        >
          <Modal.Header closeButton closeLabel={t('privacy.cancel')}>
            <Modal.Title id="privacy-erase-title" as="h2" className="h5">
              {t('privacy.confirmTitle', { phone: phone.trim() })}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <p>{t('privacy.confirmHelp')}</p>
            <Form.Group controlId="privacy-erase-typed">
              <Form.Label>{t('privacy.confirmType')}</Form.Label>
              <Form.Control
                inputMode="tel"
                maxLength={64}
                autoComplete="off"
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
              />
            </Form.Group>
          </Modal.Body>
          <Modal.Footer>
            <Button variant="outline-secondary" onClick={() => setConfirming(false)}>
              {t('privacy.cancel')}
            </Button>
            <Button type="submit" variant="danger" disabled={!confirmed || eraser.isPending}>
              <Busy on={eraser.isPending} />
              {t('privacy.confirm')}
            </Button>
          </Modal.Footer>
        </Form>
      </Modal>
    </Card>
  );
}
