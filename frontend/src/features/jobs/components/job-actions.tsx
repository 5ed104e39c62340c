import { useId, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

import type { JobRead } from '@/api/generated/types.gen';
import { ErrorState } from '@/components/ui/error-state';
import { SvgIcon } from '@/components/ui/svg-icon';

import { isActive } from '../api/get-jobs';
import { useCancelJob, useRetryJob } from '../api/job-actions';
import { useJobsTranslation } from '../i18n';
import { icons } from './icons';

/** "Processar de novo" for a finished job, "Cancelar job" (confirmed) for an active one. */
export function JobActions({ job }: { job: JobRead }) {
  const { t } = useJobsTranslation();
  const common = useTranslation().t;
  const titleId = useId();
  const retry = useRetryJob();
  const cancel = useCancelJob();
  const [confirming, setConfirming] = useState(false);
  const error = retry.error ?? cancel.error;

  return (
    <div className="d-flex flex-column align-items-sm-end gap-2">
      <div className="d-flex gap-2">
        {isActive(job) ? (
          <Button
            variant="outline-danger"
            onClick={() => setConfirming(true)}
            disabled={cancel.isPending}
          >
            <SvgIcon svg={icons.xCircle} className="me-1" />
            {cancel.isPending ? t('detail.cancelling') : t('detail.cancel')}
          </Button>
        ) : (
          <Button
            variant="primary"
            onClick={() => {
              cancel.reset();
              retry.mutate(job.id);
            }}
            disabled={retry.isPending}
          >
            {retry.isPending ? (
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
            ) : (
              <SvgIcon svg={icons.arrowRepeat} className="me-1" />
            )}
            {retry.isPending ? t('detail.retrying') : t('detail.retry')}
          </Button>
        )}
      </div>
      <span className="small text-success" role="status">
        {retry.isSuccess && isActive(job) ? t('detail.retried') : null}
        {cancel.isSuccess && !isActive(job) ? t('detail.cancelled') : null}
      </span>
      {error ? <ErrorState error={error} className="mb-0 text-start" /> : null}

      <Modal
        aria-labelledby={titleId}
        show={confirming}
        onHide={() => setConfirming(false)}
        centered
      >
        <Modal.Header closeButton closeLabel={common('common.close')}>
          <Modal.Title id={titleId} as="h2" className="h5">
            {t('detail.confirmCancelTitle')}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>{t('detail.confirmCancel', { id: job.id })}</Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={() => setConfirming(false)}>
            {t('detail.keep')}
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setConfirming(false);
              retry.reset();
              cancel.mutate(job.id);
            }}
          >
            {t('detail.cancel')}
          </Button>
        </Modal.Footer>
      </Modal>
    </div>
  );
}
