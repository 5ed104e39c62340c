import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Spinner from 'react-bootstrap/Spinner';

import { LoadingState } from '@/components/ui/loading-state';

import type { Instance } from '../api/get-instances';
import { type EventName, useSetWebhookEvents, useWebhookEventCatalog } from '../api/webhook-events';
import { optionalEventsOf, splitCatalog } from '../lib/events';
import { useInstancesTranslation } from '../locales';
import { EventChecklist } from './event-checklist';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

export interface EventSelectionFieldsProps {
  idPrefix: string;
  /** The optional events chosen. */
  selected: ReadonlySet<EventName>;
  onChange: (selected: Set<EventName>) => void;
  disabled?: boolean;
}

/** The required events (explained, always on) and the optional ones to choose. */
export function EventSelectionFields({
  idPrefix,
  selected,
  onChange,
  disabled,
}: EventSelectionFieldsProps) {
  const { t } = useInstancesTranslation();
  const catalog = useWebhookEventCatalog();
  if (catalog.isPending) return <LoadingState />;
  if (catalog.isError) {
    return <InstanceError error={catalog.error} onRetry={() => void catalog.refetch()} />;
  }
  const { required, optional, locked } = splitCatalog(catalog.data);
  const toggle = (name: EventName, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(name);
    else next.delete(name);
    onChange(next);
  };
  return (
    <>
      <fieldset className="mb-3">
        <legend className="h6">{t('events.required')}</legend>
        <EventChecklist
          idPrefix={`${idPrefix}-required`}
          events={required}
          selected={locked}
          locked={locked}
          onToggle={toggle}
        />
      </fieldset>
      <fieldset>
        <legend className="h6">{t('events.optional')}</legend>
        <p className="small text-body-secondary">{t('events.optionalHelp')}</p>
        <EventChecklist
          idPrefix={`${idPrefix}-optional`}
          events={optional}
          selected={selected}
          onToggle={toggle}
          disabled={disabled}
        />
      </fieldset>
    </>
  );
}

/** Editar instância: which Evolution events the webhook subscribes to (saved on Evolution). */
export function EventsCard({ instance }: { instance: Instance }) {
  const { t } = useInstancesTranslation();
  const save = useSetWebhookEvents(instance.id);
  const [selected, setSelected] = useState<Set<EventName>>(() => optionalEventsOf(instance));
  const [saved, setSaved] = useState(false);
  const current = optionalEventsOf(instance);
  const dirty =
    selected.size !== current.size || [...selected].some((name) => !current.has(name));

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="link-45deg" />
        <h2 className="h6 mb-0">{t('events.title')}</h2>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('events.help')}</p>
        <EventSelectionFields
          idPrefix="instance-events"
          selected={selected}
          onChange={(next) => {
            setSelected(next);
            setSaved(false);
          }}
          disabled={save.isPending}
        />
        <div aria-live="polite" className="mt-3">
          {save.isError ? (
            <InstanceError error={save.error} title={t('events.failed')} className="small" />
          ) : null}
          {saved ? (
            <Alert variant="success" className="py-2 small">
              {t('events.saved')}
            </Alert>
          ) : null}
        </div>
        <div className="d-flex justify-content-end">
          <Button
            variant="primary"
            disabled={!dirty || save.isPending}
            onClick={() =>
              save.mutate([...selected], {
                onSuccess: (instance) => {
                  setSelected(optionalEventsOf(instance));
                  setSaved(true);
                },
              })
            }
          >
            {save.isPending ? (
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
            ) : null}
            {save.isPending ? t('events.saving') : t('events.save')}
          </Button>
        </div>
      </Card.Body>
    </Card>
  );
}
