import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';

import { LoadingState } from '@/components/ui/loading-state';
import { StatusBadge } from '@/components/ui/status-badge';
import { TableScroll } from '@/components/ui/table-scroll';

import { instancesListKey, useInstances } from '../api/get-instances';
import { getTeamOptionsQueryOptions } from '../api/team-options';
import {
  isEmptyDiff,
  type PreviewRead,
  previewTemplate,
  type TemplateRead,
  templatesKeys,
} from '../api/templates';
import { useBulkRunner } from '../hooks/use-bulk-runner';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { BulkProgress } from './bulk-progress';
import { InstanceError } from './instance-error';
import { TemplateDiffList } from './template-diff';

/** The most instances one apply covers (the API's bound). */
const MAX_TARGETS = 200;

export interface TemplateApplyDialogProps {
  template: TemplateRead;
  onHide: () => void;
  /** Offer a whole team as the target (admins: they list the teams). */
  canChooseTeam?: boolean;
}

type Step = 'choose' | 'preview' | 'apply';

/**
 * Apply a template: choose instances (or a whole team), see exactly what would change on
 * each (the preview), apply to the instances the preview listed with live progress and a
 * result per instance, retry the failed ones.
 */
export function TemplateApplyDialog({
  template,
  onHide,
  canChooseTeam = false,
}: TemplateApplyDialogProps) {
  const { t } = useInstancesTranslation();
  const queryClient = useQueryClient();
  const describeError = useInstanceErrorMessage();
  const [step, setStep] = useState<Step>('choose');
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<ReadonlyMap<number, string>>(new Map());
  const [teamId, setTeamId] = useState<number | null>(null);
  const teams = useQuery({ ...getTeamOptionsQueryOptions(), enabled: canChooseTeam });
  const [preview, setPreview] = useState<PreviewRead | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const bulk = useBulkRunner();
  const list = useInstances({
    page: 1,
    pageSize: MAX_TARGETS,
    status: null,
    serverId: null,
    search,
  });
  const items = list.data?.items ?? [];
  const running = bulk.run?.running ?? false;

  const toggle = (id: number, name: string, on: boolean) =>
    setChosen((current) => {
      const next = new Map(current);
      if (on) next.set(id, name);
      else next.delete(id);
      return next;
    });

  const runPreview = async () => {
    setPreviewing(true);
    setPreviewError(null);
    try {
      const found = await previewTemplate(
        template.id,
        teamId === null ? [...chosen.keys()] : { team_id: teamId },
      );
      // A team's instances are those its preview listed: the apply covers exactly them.
      if (teamId !== null) setChosen(new Map(found.items.map((i) => [i.instance_id, i.name])));
      setPreview(found);
      setStep('preview');
    } catch (error) {
      setPreviewError(error);
    } finally {
      setPreviewing(false);
    }
  };

  const apply = () => {
    setStep('apply');
    const targets = [...chosen].map(([id, name]) => ({ id, name }));
    void bulk.startOperation('template', targets, { template_id: template.id }).finally(() => {
      void queryClient.invalidateQueries({ queryKey: templatesKeys.all });
      void queryClient.invalidateQueries({ queryKey: instancesListKey() });
    });
  };

  let body;
  if (step === 'choose') {
    const teamChoice =
      canChooseTeam && (teams.data?.length ?? 0) > 0 ? (
        <Form.Group controlId="apply-team" className="mb-3">
          <Form.Label className="small">{t('templates.apply.team')}</Form.Label>
          <Form.Select
            value={teamId ?? ''}
            onChange={(event) => setTeamId(event.target.value ? Number(event.target.value) : null)}
            aria-describedby="apply-team-help"
          >
            <option value="">{t('templates.apply.noTeam')}</option>
            {teams.data?.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </Form.Select>
          <Form.Text id="apply-team-help">{t('templates.apply.teamHelp')}</Form.Text>
        </Form.Group>
      ) : null;
    body = teamId !== null ? (
      <>
        {teamChoice}
        {previewError ? (
          <Alert variant="danger" className="mt-3">
            {describeError(previewError).message}
          </Alert>
        ) : null}
      </>
    ) : (
      <>
        {teamChoice}
        <Form.Group controlId="apply-search" className="mb-2">
          <Form.Label className="small">{t('templates.apply.search')}</Form.Label>
          <Form.Control
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </Form.Group>
        {list.isPending ? (
          <LoadingState />
        ) : list.isError ? (
          <InstanceError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <div className="d-flex flex-wrap gap-2 align-items-center mb-2">
              <Button
                size="sm"
                variant="outline-secondary"
                onClick={() =>
                  setChosen(new Map(items.map((instance) => [instance.id, instance.display_name])))
                }
              >
                {t('templates.apply.selectShown', { count: items.length })}
              </Button>
              <Button size="sm" variant="link" onClick={() => setChosen(new Map())}>
                {t('bulk.clear')}
              </Button>
              <span className="small text-body-secondary ms-auto" aria-live="polite">
                {t('bulk.selected', { count: chosen.size })}
              </span>
            </div>
            <ul className="list-unstyled apply-choices mb-0">
              {items.map((instance) => (
                <li key={instance.id} className="d-flex align-items-center gap-2 py-1 border-bottom">
                  <Form.Check
                    id={`apply-${instance.id}`}
                    checked={chosen.has(instance.id)}
                    onChange={(event) =>
                      toggle(instance.id, instance.display_name, event.target.checked)
                    }
                    label={instance.display_name}
                    className="flex-grow-1 text-break"
                  />
                  <StatusBadge status={instance.status} />
                </li>
              ))}
            </ul>
          </>
        )}
        {previewError ? (
          <Alert variant="danger" className="mt-3">
            {describeError(previewError).message}
          </Alert>
        ) : null}
      </>
    );
  } else if (step === 'preview' && preview) {
    body = (
      <>
        <p aria-live="polite">
          {t('templates.apply.summary', {
            changing: preview.changing,
            unchanged: preview.unchanged,
            failed: preview.failed,
          })}
        </p>
        <TableScroll label={t('templates.apply.previewTable')}>
          <Table size="sm" className="align-middle mb-0">
            <caption className="caption-top h6 text-body">{t('templates.apply.previewTable')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bulk.instance')}</th>
                <th scope="col">{t('templates.apply.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.items.map((item) => (
                <tr key={item.instance_id} data-changing={item.ok && !isEmptyDiff(item.changes)}>
                  <th scope="row" className="fw-normal text-break">
                    {item.name}
                  </th>
                  <td>
                    {item.ok ? (
                      <TemplateDiffList diff={item.changes} />
                    ) : (
                      <span className="text-danger small">{item.detail ?? item.error}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </TableScroll>
      </>
    );
  } else if (bulk.run) {
    body = (
      <>
        {bulk.run.error ? (
          <Alert variant="danger">{describeError(bulk.run.error).message}</Alert>
        ) : null}
        <BulkProgress run={bulk.run} />
      </>
    );
  }

  const failed = bulk.run?.failed ?? 0;
  return (
    <Modal
      show
      onHide={() => {
        if (!running) onHide();
      }}
      backdrop={running ? 'static' : true}
      size="lg"
      scrollable
      aria-labelledby="template-apply-title"
    >
      <Modal.Header closeButton={!running} closeLabel={t('bulk.close')}>
        <Modal.Title id="template-apply-title" as="h2" className="h5">
          {t('templates.apply.title', { name: template.name })}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>{body}</Modal.Body>
      <Modal.Footer>
        {step === 'choose' ? (
          <Button
            variant="primary"
            disabled={(teamId === null && chosen.size === 0) || previewing}
            onClick={() => void runPreview()}
          >
            {previewing ? <Spinner size="sm" className="me-2" aria-hidden /> : null}
            {teamId === null
              ? t('templates.apply.preview', { count: chosen.size })
              : t('templates.apply.previewTeam')}
          </Button>
        ) : null}
        {step === 'preview' ? (
          <>
            <Button variant="outline-secondary" onClick={() => setStep('choose')}>
              {t('templates.apply.back')}
            </Button>
            <Button variant="primary" onClick={apply}>
              {t('templates.apply.confirm', { count: chosen.size })}
            </Button>
          </>
        ) : null}
        {step === 'apply' ? (
          <>
            {!running && failed > 0 && bulk.run?.operationId ? (
              <Button variant="outline-primary" onClick={() => void bulk.retryFailed()}>
                {t('bulk.retry', { count: failed })}
              </Button>
            ) : null}
            <Button variant="primary" onClick={onHide} disabled={running}>
              {t('bulk.close')}
            </Button>
          </>
        ) : null}
      </Modal.Footer>
    </Modal>
  );
}
