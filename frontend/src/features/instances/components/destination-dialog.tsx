import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';

import { isApiError } from '@/lib/api-error';

import type { Destination, DestinationInput } from '../api/destinations';
import { type EventName, useWebhookEventCatalog } from '../api/webhook-events';
import { fieldDescriptionIds } from '../lib/field-ids';
import { isHttpUrl } from '../lib/url';
import { useInstancesTranslation } from '../locales';
import { EventChecklist } from './event-checklist';
import { FormField } from './form-field';
import { InstanceError } from './instance-error';

export interface DestinationDialogProps {
  /** Null: a new destination. */
  destination: Destination | null;
  pending: boolean;
  error: unknown;
  onSave: (body: DestinationInput) => void;
  onHide: () => void;
}

type Errors = Partial<Record<'name' | 'url' | 'secret' | 'attempts' | 'base', string>>;

const describe = (id: string, invalid: boolean) =>
  fieldDescriptionIds(id, { help: true, error: invalid });

/** Add or edit a destination: URL, event filter, secret header, retry policy. */
export function DestinationDialog({
  destination,
  pending,
  error,
  onSave,
  onHide,
}: DestinationDialogProps) {
  const { t } = useInstancesTranslation();
  const catalog = useWebhookEventCatalog();
  const [name, setName] = useState(destination?.name ?? '');
  const [url, setUrl] = useState(destination?.url ?? '');
  const [allEvents, setAllEvents] = useState((destination?.events.length ?? 0) === 0);
  const [events, setEvents] = useState<Set<EventName>>(
    () => new Set((destination?.events ?? ['MESSAGES_UPSERT']) as EventName[]),
  );
  const [headerName, setHeaderName] = useState(destination?.secret_header_name ?? '');
  const [headerValue, setHeaderValue] = useState('');
  const [attempts, setAttempts] = useState(String(destination?.max_attempts ?? 5));
  const [base, setBase] = useState(String(destination?.retry_base_seconds ?? 5));
  const [enabled, setEnabled] = useState(destination?.enabled ?? true);
  const [errors, setErrors] = useState<Errors>({});
  const keepsSecret = Boolean(destination?.has_secret) && headerName === destination?.secret_header_name;

  const submit = () => {
    const found: Errors = {};
    if (!name.trim()) found.name = 'destinations.validation.name';
    if (!isHttpUrl(url.trim())) found.url = 'destinations.validation.url';
    if (headerName.trim() && !/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(headerName.trim())) {
      found.secret = 'destinations.validation.headerName';
    } else if (headerName.trim() && !headerValue && !keepsSecret) {
      found.secret = 'destinations.validation.headerValue';
    }
    const maxAttempts = Number(attempts);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
      found.attempts = 'destinations.validation.attempts';
    }
    const baseSeconds = Number(base);
    if (!Number.isFinite(baseSeconds) || baseSeconds < 1 || baseSeconds > 300) {
      found.base = 'destinations.validation.base';
    }
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    onSave({
      name: name.trim(),
      url: url.trim(),
      events: allEvents ? [] : [...events],
      secret_header_name: headerName.trim() || null,
      ...(headerValue ? { secret_header_value: headerValue } : {}),
      max_attempts: maxAttempts,
      retry_base_seconds: baseSeconds,
      enabled,
    });
  };

  const apiFieldErrors = isApiError(error) ? error.fieldErrors : [];
  const apiError = (field: string) => apiFieldErrors.find((e) => e.field === field)?.message;

  return (
    <Modal show onHide={onHide} scrollable aria-labelledby="destination-dialog-title" size="lg">
      <Form
        noValidate
        className="modal-form"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Modal.Header closeButton closeLabel={t('bulk.close')}>
          <Modal.Title id="destination-dialog-title" as="h2" className="h5">
            {destination ? t('destinations.editTitle', { name: destination.name }) : t('destinations.addTitle')}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {error ? <InstanceError error={error} title={t('destinations.failed')} className="small" /> : null}
          <div className="row g-3">
            <div className="col-md-5">
              <FormField
                id="destination-name"
                label={t('destinations.name')}
                help={t('destinations.nameHelp')}
                error={errors.name ?? apiError('name')}
                className=""
              >
                <Form.Control
                  id="destination-name"
                  value={name}
                  maxLength={100}
                  isInvalid={Boolean(errors.name)}
                  aria-describedby={describe('destination-name', Boolean(errors.name))}
                  onChange={(change) => setName(change.target.value)}
                />
              </FormField>
            </div>
            <div className="col-md-7">
              <FormField
                id="destination-url"
                label={t('destinations.url')}
                help={t('destinations.urlHelp')}
                error={errors.url ?? apiError('url')}
                className=""
              >
                <Form.Control
                  id="destination-url"
                  type="url"
                  inputMode="url"
                  placeholder="https://"
                  value={url}
                  maxLength={1000}
                  isInvalid={Boolean(errors.url)}
                  aria-describedby={describe('destination-url', Boolean(errors.url))}
                  onChange={(change) => setUrl(change.target.value)}
                />
              </FormField>
            </div>
          </div>

          <fieldset className="mt-3">
            <legend className="h6">{t('destinations.events')}</legend>
            <Form.Check
              type="switch"
              id="destination-all-events"
              label={t('destinations.allEvents')}
              checked={allEvents}
              onChange={(change) => setAllEvents(change.target.checked)}
            />
            {!allEvents && catalog.data ? (
              <div className="mt-2" data-testid="destination-events">
                <EventChecklist
                  idPrefix="destination-event"
                  events={catalog.data}
                  selected={events}
                  onToggle={(event, checked) => {
                    const next = new Set(events);
                    if (checked) next.add(event);
                    else next.delete(event);
                    setEvents(next);
                  }}
                />
                <p className="small text-body-secondary mt-1 mb-0">{t('destinations.eventsHelp')}</p>
              </div>
            ) : null}
          </fieldset>

          <fieldset className="mt-3">
            <legend className="h6">{t('destinations.secret')}</legend>
            <div className="row g-3">
              <div className="col-md-5">
                <FormField
                  id="destination-header-name"
                  label={t('destinations.headerName')}
                  help={t('destinations.headerNameHelp')}
                  error={errors.secret ?? apiError('secret_header_name')}
                  className=""
                >
                  <Form.Control
                    id="destination-header-name"
                    value={headerName}
                    autoComplete="off"
                    placeholder="X-Api-Key"
                    maxLength={64}
                    isInvalid={Boolean(errors.secret)}
                    aria-describedby={describe('destination-header-name', Boolean(errors.secret))}
                    onChange={(change) => setHeaderName(change.target.value)}
                  />
                </FormField>
              </div>
              <div className="col-md-7">
                <FormField
                  id="destination-header-value"
                  label={t('destinations.headerValue')}
                  help={keepsSecret ? t('destinations.headerValueKept') : t('destinations.headerValueHelp')}
                  error={apiError('secret_header_value')}
                  className=""
                >
                  <Form.Control
                    id="destination-header-value"
                    type="password"
                    autoComplete="new-password"
                    value={headerValue}
                    maxLength={1000}
                    disabled={!headerName.trim()}
                    aria-describedby={describe('destination-header-value', false)}
                    onChange={(change) => setHeaderValue(change.target.value)}
                  />
                </FormField>
              </div>
            </div>
          </fieldset>

          <fieldset className="mt-3">
            <legend className="h6">{t('destinations.retry')}</legend>
            <div className="row g-3">
              <div className="col-6">
                <FormField
                  id="destination-attempts"
                  label={t('destinations.attempts')}
                  help={t('destinations.attemptsHelp')}
                  error={errors.attempts ?? apiError('max_attempts')}
                  className=""
                >
                  <Form.Control
                    id="destination-attempts"
                    type="number"
                    min={1}
                    max={10}
                    value={attempts}
                    isInvalid={Boolean(errors.attempts)}
                    aria-describedby={describe('destination-attempts', Boolean(errors.attempts))}
                    onChange={(change) => setAttempts(change.target.value)}
                  />
                </FormField>
              </div>
              <div className="col-6">
                <FormField
                  id="destination-base"
                  label={t('destinations.base')}
                  help={t('destinations.baseHelp')}
                  error={errors.base ?? apiError('retry_base_seconds')}
                  className=""
                >
                  <Form.Control
                    id="destination-base"
                    type="number"
                    min={1}
                    max={300}
                    step="any"
                    value={base}
                    isInvalid={Boolean(errors.base)}
                    aria-describedby={describe('destination-base', Boolean(errors.base))}
                    onChange={(change) => setBase(change.target.value)}
                  />
                </FormField>
              </div>
            </div>
          </fieldset>

          <Form.Check
            className="mt-3"
            type="switch"
            id="destination-enabled"
            label={t('destinations.enabled')}
            checked={enabled}
            onChange={(change) => setEnabled(change.target.checked)}
          />
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={onHide} disabled={pending}>
            {t('form.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={pending || (!allEvents && events.size === 0)}>
            {pending ? <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" /> : null}
            {pending ? t('form.saving') : t('destinations.save')}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}
