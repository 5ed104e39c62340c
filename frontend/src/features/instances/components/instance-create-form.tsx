import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import { Controller, useForm, useWatch } from 'react-hook-form';

import { Icon } from '@/components/ui/icon';

import type { Instance } from '../api/get-instances';
import type { ServerOption } from '../api/get-servers';
import { useCreateInstance } from '../api/save-instance';
import type { EventName } from '../api/webhook-events';
import { fieldDescriptionIds } from '../lib/field-ids';
import {
  API_FIELDS,
  type InstanceCreateValues,
  instanceCreateSchema,
  toInstanceCreate,
} from '../lib/instance-form-schema';
import { isValidTechnicalName, slugify } from '../lib/technical-name';
import { useInstancesTranslation } from '../locales';
import { FormField } from './form-field';
import { InstanceError } from './instance-error';
import { EventSelectionFields } from './events-card';
import { ContactFields, FormActions } from './instance-form-parts';

export interface InstanceCreateFormProps {
  servers: readonly ServerOption[];
  /** Preselected server (e.g. `?server=3`). */
  initialServerId?: number | null;
  /** Admins may register a new server by typing its URL and key. */
  isAdmin?: boolean;
  onCreated: (instance: Instance) => void;
  onCancel: () => void;
}

/**
 * The "Nova instância" form, validated as it is typed. The technical name follows the
 * display name (slugified) until it is edited by hand; the server is picked from the
 * registered ones, or given as the Evolution URL + API key as in the original form.
 */
export function InstanceCreateForm({
  servers,
  initialServerId = null,
  isAdmin = false,
  onCreated,
  onCancel,
}: InstanceCreateFormProps) {
  const { t } = useInstancesTranslation();
  const [nameEdited, setNameEdited] = useState(false);
  const initialServer =
    initialServerId !== null && servers.some((server) => server.id === initialServerId)
      ? String(initialServerId)
      : servers.length === 1 && servers[0]
        ? String(servers[0].id)
        : '';

  const {
    register,
    control,
    handleSubmit,
    setValue,
    setError,
    formState: { errors },
  } = useForm<InstanceCreateValues>({
    resolver: zodResolver(instanceCreateSchema),
    mode: 'onChange',
    defaultValues: {
      displayName: '',
      name: '',
      mode: servers.length > 0 ? 'server' : 'url',
      serverId: initialServer,
      evolutionUrl: '',
      apiKey: '',
      phone: '',
      webhookEvents: [],
    },
  });

  const create = useCreateInstance();
  const mode = useWatch({ control, name: 'mode' });
  const displayName = useWatch({ control, name: 'displayName' });
  const name = useWatch({ control, name: 'name' });
  const suggestion = slugify(displayName);
  const showSuggestion = nameEdited && suggestion !== name && isValidTechnicalName(suggestion);

  const onSubmit = handleSubmit((values) => {
    create.mutate(toInstanceCreate(values), {
      onSuccess: (instance) => onCreated(instance),
      onError: (error) => {
        for (const fieldError of error.fieldErrors) {
          const field = API_FIELDS[fieldError.field];
          if (field) setError(field, { message: fieldError.message });
        }
        if (error.code === 'instance_name_taken' || error.code === 'evolution_conflict') {
          setError('name', { message: `errors.codes.${error.code}` });
        }
      },
    });
  });

  const displayNameField = register('displayName', {
    onChange: (event: { target: { value: string } }) => {
      if (!nameEdited) {
        setValue('name', slugify(event.target.value), {
          shouldValidate: event.target.value.trim() !== '',
          shouldDirty: true,
        });
      }
    },
  });
  const nameField = register('name', {
    onChange: (event: { target: { value: string } }) => {
      // Typing a name stops the suggestion; clearing it lets the suggestion come back.
      setNameEdited(event.target.value !== '');
    },
  });

  const describe = (id: string, invalid: boolean) =>
    fieldDescriptionIds(id, { help: true, error: invalid });

  return (
    <Form noValidate onSubmit={(event) => void onSubmit(event)}>
      {create.isError ? (
        <InstanceError error={create.error} title={t('form.failed')} className="mb-4" />
      ) : null}

      <Card className="mb-4">
        <Card.Body>
          <div className="row g-3">
            <div className="col-md-6">
              <FormField
                id="instance-display-name"
                label={t('form.displayName')}
                help={t('form.displayNameHelp')}
                error={errors.displayName?.message}
                className=""
              >
                <Form.Control
                  id="instance-display-name"
                  autoComplete="off"
                  autoFocus
                  isInvalid={Boolean(errors.displayName)}
                  aria-invalid={Boolean(errors.displayName)}
                  aria-describedby={describe('instance-display-name', Boolean(errors.displayName))}
                  {...displayNameField}
                />
              </FormField>
            </div>
            <div className="col-md-6">
              <FormField
                id="instance-name"
                label={t('form.name')}
                help={t('form.nameHelp')}
                error={errors.name?.message}
                className=""
              >
                <Form.Control
                  id="instance-name"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  className="font-monospace"
                  isInvalid={Boolean(errors.name)}
                  aria-invalid={Boolean(errors.name)}
                  aria-describedby={describe('instance-name', Boolean(errors.name))}
                  {...nameField}
                />
              </FormField>
              {showSuggestion ? (
                <Button
                  variant="link"
                  size="sm"
                  className="px-0"
                  onClick={() => {
                    setNameEdited(false);
                    setValue('name', suggestion, { shouldValidate: true, shouldDirty: true });
                  }}
                >
                  {t('form.useSuggestion', { name: suggestion })}
                </Button>
              ) : null}
            </div>
          </div>
        </Card.Body>
      </Card>

      <Card className="mb-4">
        <Card.Body>
          <fieldset>
            <legend className="h6 mb-3">{t('form.serverSection')}</legend>
            <div className="mb-3" role="radiogroup" aria-label={t('form.serverSection')}>
              <Form.Check
                inline
                type="radio"
                id="instance-mode-server"
                label={t('form.modeServer')}
                value="server"
                disabled={servers.length === 0}
                {...register('mode')}
              />
              <Form.Check
                inline
                type="radio"
                id="instance-mode-url"
                label={t('form.modeUrl')}
                value="url"
                {...register('mode')}
              />
            </div>

            {servers.length === 0 ? (
              <p className="text-body-secondary small">{t('form.noServers')}</p>
            ) : null}

            {mode === 'server' ? (
              <FormField
                id="instance-server"
                label={t('form.server')}
                error={errors.serverId?.message}
                className=""
              >
                <Form.Select
                  id="instance-server"
                  isInvalid={Boolean(errors.serverId)}
                  aria-invalid={Boolean(errors.serverId)}
                  aria-describedby={errors.serverId ? 'instance-server-error' : undefined}
                  {...register('serverId')}
                >
                  <option value="">{t('form.chooseServer')}</option>
                  {servers.map((server) => (
                    <option key={server.id} value={server.id}>
                      {`${server.name} (${server.base_url})`}
                    </option>
                  ))}
                </Form.Select>
              </FormField>
            ) : (
              <div className="row g-3">
                <div className="col-md-7">
                  <FormField
                    id="instance-evolution-url"
                    label={t('form.evolutionUrl')}
                    help={t('form.evolutionUrlHelp')}
                    error={errors.evolutionUrl?.message}
                    className=""
                  >
                    <Form.Control
                      id="instance-evolution-url"
                      type="url"
                      inputMode="url"
                      autoComplete="url"
                      placeholder="http://localhost:8081"
                      isInvalid={Boolean(errors.evolutionUrl)}
                      aria-invalid={Boolean(errors.evolutionUrl)}
                      aria-describedby={describe(
                        'instance-evolution-url',
                        Boolean(errors.evolutionUrl),
                      )}
                      {...register('evolutionUrl')}
                    />
                  </FormField>
                </div>
                <div className="col-md-5">
                  <FormField
                    id="instance-api-key"
                    label={t('form.apiKey')}
                    help={t('form.apiKeyHelp')}
                    error={errors.apiKey?.message}
                    className=""
                  >
                    <Form.Control
                      id="instance-api-key"
                      type="password"
                      autoComplete="off"
                      isInvalid={Boolean(errors.apiKey)}
                      aria-invalid={Boolean(errors.apiKey)}
                      aria-describedby={describe('instance-api-key', Boolean(errors.apiKey))}
                      {...register('apiKey')}
                    />
                  </FormField>
                </div>
                {!isAdmin ? (
                  <p className="col-12 small text-body-secondary mb-0">{t('form.urlNeedsAdmin')}</p>
                ) : null}
              </div>
            )}
          </fieldset>
        </Card.Body>
      </Card>

      <Card className="mb-4">
        <Card.Body>
          <ContactFields
            control={control}
            phoneName="phone"
            errors={errors}
          />
        </Card.Body>
      </Card>

      <Card className="mb-4">
        <Card.Header className="bg-transparent">
          <h2 className="h6 mb-0">{t('events.title')}</h2>
        </Card.Header>
        <Card.Body>
          <p className="small text-body-secondary">{t('events.help')}</p>
          <Controller
            control={control}
            name="webhookEvents"
            render={({ field }) => (
              <EventSelectionFields
                idPrefix="create-events"
                selected={new Set(field.value as EventName[])}
                onChange={(next) => field.onChange([...next])}
              />
            )}
          />
        </Card.Body>
      </Card>

      <FormActions pending={create.isPending} onCancel={onCancel}>
        <Icon name="plus-lg" className="me-2" />
        {t('form.submitCreate')}
      </FormActions>
    </Form>
  );
}
