import './instances.css';

import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Modal from 'react-bootstrap/Modal';

import { EmptyState } from '@/components/ui/empty-state';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';

import {
  type DriftItem,
  type TemplateRead,
  useCheckDrift,
  useDeleteTemplate,
  useTemplateDrift,
  useTemplates,
} from '../api/templates';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { DriftBadge } from './drift-badge';
import { InstanceError } from './instance-error';
import { TemplateApplyDialog } from './template-apply-dialog';
import { TemplateDiffList } from './template-diff';
import { TemplateFormDialog } from './template-form-dialog';

export interface TemplatesPageProps {
  /** Operators preview and apply templates; admins also create, edit and delete them. */
  canOperate: boolean;
  canManage: boolean;
}

/** Modelos: configurations applied to many instances at once, and their drift. */
export function TemplatesPage({ canOperate, canManage }: TemplatesPageProps) {
  const { t } = useInstancesTranslation();
  const describeError = useInstanceErrorMessage();
  const templates = useTemplates();
  const drift = useTemplateDrift();
  const checkDrift = useCheckDrift();
  const remove = useDeleteTemplate();
  const [editing, setEditing] = useState<TemplateRead | null | 'new'>(null);
  const [applying, setApplying] = useState<TemplateRead | null>(null);
  const [deleting, setDeleting] = useState<TemplateRead | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const driftByTemplate = new Map<number, DriftItem[]>();
  for (const item of drift.data ?? []) {
    driftByTemplate.set(item.template_id, [...(driftByTemplate.get(item.template_id) ?? []), item]);
  }

  const header = (
    <PageHeader
      title={t('templates.title')}
      description={t('templates.description')}
      actions={
        canManage ? (
          <Button variant="primary" className="btn-gradient" onClick={() => setEditing('new')}>
            <Icon name="plus-lg" className="me-2" />
            {t('templates.new')}
          </Button>
        ) : null
      }
    />
  );

  let body;
  if (templates.isPending) {
    body = <LoadingState label={t('templates.loading')} />;
  } else if (templates.isError) {
    body = <InstanceError error={templates.error} onRetry={() => void templates.refetch()} />;
  } else if (templates.data.items.length === 0) {
    body = (
      <EmptyState
        icon="layers"
        title={t('templates.empty.title')}
        description={canManage ? t('templates.empty.description') : t('templates.empty.readOnly')}
      />
    );
  } else {
    body = (
      <div className="row row-cols-1 row-cols-xl-2 g-3">
        {templates.data.items.map((template) => {
          const linked = driftByTemplate.get(template.id) ?? [];
          const drifted = linked.filter((d) => d.in_sync === false || d.template_changed);
          return (
            <div className="col" key={template.id}>
              <Card className="h-100" as="section" aria-labelledby={`template-${template.id}`}>
                <Card.Body>
                  <div className="d-flex flex-wrap align-items-start gap-2 mb-2">
                    <h2 className="h5 mb-0 flex-grow-1 text-break" id={`template-${template.id}`}>
                      {template.name}
                    </h2>
                    <Badge bg="light" text="dark" className="border">
                      {t('templates.version', { version: template.version })}
                    </Badge>
                  </div>
                  {template.description ? (
                    <p className="text-body-secondary small">{template.description}</p>
                  ) : null}
                  <ul className="list-unstyled small mb-3 template-summary">
                    <li>{summarizeSettings(template, t)}</li>
                    <li>
                      {template.events === null
                        ? t('templates.summary.eventsKept')
                        : t('templates.summary.events', { count: template.events.length })}
                    </li>
                    <li>
                      {template.allowed_numbers === null
                        ? t('templates.summary.numbersKept')
                        : t('templates.summary.numbers', { count: template.allowed_numbers.length })}
                    </li>
                    <li>
                      {template.destinations === null
                        ? t('templates.summary.destinationsKept')
                        : t('templates.summary.destinations', {
                            count: template.destinations.length,
                          })}
                    </li>
                  </ul>
                  <p className="small mb-2" aria-live="polite">
                    {t('templates.linked', { count: template.linked })}
                    {drifted.length > 0 ? (
                      <span className="text-warning-emphasis ms-2">
                        <Icon name="exclamation-triangle" className="me-1" />
                        {t('templates.drifted', { count: drifted.length })}
                      </span>
                    ) : null}
                  </p>
                  {drifted.length > 0 ? (
                    <details className="small mb-2">
                      <summary>{t('templates.driftDetails')}</summary>
                      <ul className="list-unstyled mt-2 mb-0">
                        {drifted.map((item) => (
                          <li key={item.instance_id} className="mb-2">
                            <DriftBadge drift={item} /> <strong>{item.name}</strong>
                            {item.template_changed ? (
                              <div className="text-body-secondary">
                                {t('templates.drift.templateChanged')}
                              </div>
                            ) : null}
                            {item.differences ? <TemplateDiffList diff={item.differences} /> : null}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </Card.Body>
                {canOperate ? (
                  <Card.Footer className="bg-transparent d-flex flex-wrap gap-2">
                    <Button size="sm" variant="primary" onClick={() => setApplying(template)}>
                      {t('templates.applyAction')}
                    </Button>
                    <Button
                      size="sm"
                      variant="outline-secondary"
                      disabled={checkDrift.isPending || template.linked === 0}
                      onClick={() => checkDrift.mutate(template.id)}
                    >
                      {t('templates.checkDrift')}
                    </Button>
                    {canManage ? (
                      <>
                        <Button
                          size="sm"
                          variant="outline-primary"
                          onClick={() => setEditing(template)}
                          aria-label={t('templates.editLabel', { name: template.name })}
                        >
                          <Icon name="pencil" className="me-1" />
                          {t('templates.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="outline-danger"
                          onClick={() => setDeleting(template)}
                          aria-label={t('templates.deleteLabel', { name: template.name })}
                        >
                          <Icon name="trash" className="me-1" />
                          {t('templates.delete')}
                        </Button>
                      </>
                    ) : null}
                  </Card.Footer>
                ) : null}
              </Card>
            </div>
          );
        })}
      </div>
    );
  }

  return (
    <>
      {header}
      <div aria-live="polite">
        {saved ? (
          <Alert variant="success" dismissible onClose={() => setSaved(null)} closeLabel={t('bulk.close')}>
            {saved}
          </Alert>
        ) : null}
        {checkDrift.isError ? (
          <Alert variant="danger">{describeError(checkDrift.error).message}</Alert>
        ) : null}
      </div>
      {body}
      {editing !== null ? (
        <TemplateFormDialog
          template={editing === 'new' ? null : editing}
          onHide={() => setEditing(null)}
          onSaved={(template) => {
            setEditing(null);
            setSaved(t('templates.saved', { name: template.name }));
          }}
        />
      ) : null}
      {applying ? (
        <TemplateApplyDialog
          template={applying}
          onHide={() => setApplying(null)}
          canChooseTeam={canManage}
        />
      ) : null}
      {deleting ? (
        <Modal show onHide={() => setDeleting(null)} aria-labelledby="template-delete-title">
          <Modal.Header closeButton closeLabel={t('bulk.close')}>
            <Modal.Title id="template-delete-title" as="h2" className="h5">
              {t('templates.deleteTitle', { name: deleting.name })}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <p className="mb-0">{t('templates.deleteHelp')}</p>
            {remove.isError ? (
              <Alert variant="danger" className="mt-3 mb-0">
                {describeError(remove.error).message}
              </Alert>
            ) : null}
          </Modal.Body>
          <Modal.Footer>
            <Button variant="outline-secondary" onClick={() => setDeleting(null)}>
              {t('form.cancel')}
            </Button>
            <Button
              variant="danger"
              disabled={remove.isPending}
              onClick={() =>
                remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })
              }
            >
              {t('templates.delete')}
            </Button>
          </Modal.Footer>
        </Modal>
      ) : null}
    </>
  );
}

function summarizeSettings(
  template: TemplateRead,
  t: ReturnType<typeof useInstancesTranslation>['t'],
): string {
  const managed = Object.values(template.settings).filter((v) => v !== null);
  return managed.length === 0
    ? t('templates.summary.settingsKept')
    : t('templates.summary.settings', { count: managed.length });
}
