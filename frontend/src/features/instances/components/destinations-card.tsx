import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Spinner from 'react-bootstrap/Spinner';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';

import {
  type Destination,
  type DestinationChanges,
  useDeleteDestination,
  useDestinations,
  useSaveDestination,
  useTestDestination,
} from '../api/destinations';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { DestinationDialog } from './destination-dialog';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

/** The most destinations an instance forwards to (the API refuses more). */
export const MAX_DESTINATIONS = 10;

export interface DestinationsCardProps {
  instanceId: number;
  canOperate: boolean;
}

type Feedback = { variant: 'success' | 'danger'; text: string } | null;

/** Where this instance relays its events: list, add, edit, test, remove. */
export function DestinationsCard({ instanceId, canOperate }: DestinationsCardProps) {
  const { t } = useInstancesTranslation();
  const describeError = useInstanceErrorMessage();
  const destinations = useDestinations(instanceId);
  const save = useSaveDestination(instanceId);
  const remove = useDeleteDestination(instanceId);
  const test = useTestDestination(instanceId);
  const [editing, setEditing] = useState<Destination | 'new' | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const close = () => {
    setEditing(null);
    save.reset();
  };
  const runTest = (destination: Destination) => {
    setFeedback(null);
    test.mutate(destination.id, {
      onSuccess: (result) =>
        setFeedback(
          result.ok
            ? {
                variant: 'success',
                text: t('destinations.testOk', {
                  name: destination.name,
                  status: result.http_status,
                  ms: result.latency_ms,
                }),
              }
            : {
                variant: 'danger',
                text: t('destinations.testFailed', { name: destination.name, error: result.error }),
              },
        ),
      onError: (error) => setFeedback({ variant: 'danger', text: describeError(error).message }),
    });
  };
  const runRemove = (destination: Destination) => {
    if (!window.confirm(t('destinations.confirmRemove', { name: destination.name }))) return;
    setFeedback(null);
    remove.mutate(destination.id, {
      onSuccess: () =>
        setFeedback({ variant: 'success', text: t('destinations.removed', { name: destination.name }) }),
      onError: (error) => setFeedback({ variant: 'danger', text: describeError(error).message }),
    });
  };

  let body;
  if (destinations.isPending) body = <LoadingState />;
  else if (destinations.isError) {
    body = <InstanceError error={destinations.error} onRetry={() => void destinations.refetch()} />;
  } else if (destinations.data.length === 0) {
    body = <p className="text-body-secondary small mb-3">{t('destinations.empty')}</p>;
  } else {
    body = (
      <ul className="list-group mb-3" aria-label={t('destinations.title')}>
        {destinations.data.map((destination) => (
          <li key={destination.id} className="list-group-item" data-testid="destination">
            <div className="d-flex flex-wrap align-items-center gap-2">
              <strong className="me-1">{destination.name}</strong>
              {destination.enabled ? null : (
                <Badge bg="secondary">{t('destinations.disabled')}</Badge>
              )}
              {destination.has_secret ? (
                <Badge bg="light" text="dark" className="border">
                  <Icon name="key" className="me-1" />
                  {destination.secret_header_name}
                </Badge>
              ) : null}
            </div>
            <div className="small text-break font-monospace">{destination.url}</div>
            <div className="small text-body-secondary">
              {destination.events.length === 0
                ? t('destinations.everyEvent')
                : destination.events.join(', ')}
              {' · '}
              {t('destinations.policy', {
                attempts: destination.max_attempts,
                base: destination.retry_base_seconds,
              })}
            </div>
            {canOperate ? (
              <div className="d-flex flex-wrap gap-2 mt-2">
                <Button size="sm" variant="outline-primary" onClick={() => setEditing(destination)}>
                  <Icon name="pencil" className="me-1" />
                  {t('destinations.edit')}
                  <span className="visually-hidden"> {destination.name}</span>
                </Button>
                <Button
                  size="sm"
                  variant="outline-secondary"
                  disabled={test.isPending}
                  onClick={() => runTest(destination)}
                >
                  {test.isPending && test.variables === destination.id ? (
                    <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
                  ) : (
                    <FeatureIcon name="send" className="me-1" />
                  )}
                  {t('destinations.test')}
                  <span className="visually-hidden"> {destination.name}</span>
                </Button>
                <Button
                  size="sm"
                  variant="outline-danger"
                  disabled={remove.isPending}
                  onClick={() => runRemove(destination)}
                >
                  <Icon name="trash" className="me-1" />
                  {t('destinations.remove')}
                  <span className="visually-hidden"> {destination.name}</span>
                </Button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    );
  }

  const full = (destinations.data?.length ?? 0) >= MAX_DESTINATIONS;
  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="send" />
        <h2 className="h6 mb-0">{t('destinations.title')}</h2>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('destinations.description')}</p>
        <div aria-live="polite">
          {feedback ? (
            <Alert
              variant={feedback.variant}
              dismissible
              onClose={() => setFeedback(null)}
              closeLabel={t('bulk.close')}
              className="py-2 small"
            >
              {feedback.text}
            </Alert>
          ) : null}
        </div>
        {body}
        {canOperate ? (
          <>
            <Button variant="primary" size="sm" disabled={full} onClick={() => setEditing('new')}>
              <Icon name="plus-lg" className="me-1" />
              {t('destinations.add')}
            </Button>
            {full ? (
              <p className="small text-body-secondary mt-2 mb-0">
                {t('destinations.full', { max: MAX_DESTINATIONS })}
              </p>
            ) : null}
          </>
        ) : null}
      </Card.Body>
      {editing !== null ? (
        <DestinationDialog
          destination={editing === 'new' ? null : editing}
          pending={save.isPending}
          error={save.error}
          onHide={close}
          onSave={(body) =>
            save.mutate(
              editing === 'new'
                ? { id: null, body }
                : { id: editing.id, body: body as DestinationChanges },
              {
              onSuccess: (saved) => {
                close();
                setFeedback({
                  variant: 'success',
                  text: t('destinations.saved', { name: saved.name }),
                });
              },
            })
          }
        />
      ) : null}
    </Card>
  );
}
