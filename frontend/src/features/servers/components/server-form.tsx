import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import InputGroup from 'react-bootstrap/InputGroup';
import Spinner from 'react-bootstrap/Spinner';
import { useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { isApiError } from '@/lib/api-error';

import type { Server } from '../api/get-servers';
import { useSaveServer } from '../api/save-server';
import {
  createServerInputSchema,
  type ServerFormInput,
  updateServerInputSchema,
} from '../api/server-schema';
import { type TestResult, useTestNewServer, useTestSavedServer } from '../api/test-server';
import { SERVERS_NS } from '../locales';
import { ApiErrorAlert } from './api-error-alert';
import { TestResultView } from './test-result';

const FIELDS = ['name', 'base_url', 'api_key'] as const;
type Field = (typeof FIELDS)[number];

/** Conflicts the API reports about one field. */
const CONFLICT_FIELDS: Partial<Record<string, Field>> = {
  server_name_taken: 'name',
  server_url_taken: 'base_url',
};

type Outcome = { inputs: string; result: TestResult } | { inputs: string; error: unknown };

export interface ServerFormProps {
  /** null: add a server; otherwise edit this one. */
  server: Server | null;
  onSaved: (saved: Server, change: { created: boolean; connectionChanged: boolean }) => void;
  onCancel: () => void;
  /** Where the buttons go (a modal footer); inline when not given. */
  footerClassName?: string;
  bodyClassName?: string;
}

/**
 * Add or edit an Evolution server: name, URL and global key, validated as you type, with
 * "Testar conexão" (POST /api/servers/test) to see the versions before saving. Editing: an
 * empty key keeps the stored one.
 */
export function ServerForm({
  server,
  onSaved,
  onCancel,
  footerClassName = 'd-flex justify-content-end gap-2 mt-3',
  bodyClassName,
}: ServerFormProps) {
  const { t, i18n } = useTranslation(SERVERS_NS);
  const [showKey, setShowKey] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const ids = { urlHelp: useId(), keyHelp: useId(), error: useId(), outcome: useId() };
  const editing = server !== null;

  const {
    register,
    handleSubmit,
    setError,
    trigger,
    getValues,
    control,
    formState: { errors },
  } = useForm<ServerFormInput>({
    resolver: zodResolver(editing ? updateServerInputSchema : createServerInputSchema),
    mode: 'onTouched',
    defaultValues: { name: server?.name ?? '', base_url: server?.base_url ?? '', api_key: '' },
  });

  const save = useSaveServer(server);
  const testNew = useTestNewServer();
  const testSaved = useTestSavedServer();
  const testing = testNew.isPending || testSaved.isPending;

  // A test result belongs to the URL and key it was run with.
  const inputsKey = (values: Pick<ServerFormInput, 'base_url' | 'api_key'>) =>
    `${values.base_url.trim()}\n${values.api_key.trim()}`;
  const [watchedUrl, watchedKey] = useWatch({ control, name: ['base_url', 'api_key'] });
  const currentInputs = inputsKey({ base_url: watchedUrl, api_key: watchedKey });
  const shownOutcome = outcome?.inputs === currentInputs ? outcome : null;

  const fieldMessage = (message: string | undefined) =>
    message && i18n.exists(`${SERVERS_NS}:${message}`) ? t(message) : message;

  const runTest = async () => {
    const valid = await trigger(['base_url', 'api_key']);
    if (!valid) return;
    const values = getValues();
    const inputs = inputsKey(values);
    const record = {
      onSuccess: (result: TestResult) => setOutcome({ inputs, result }),
      onError: (error: unknown) => setOutcome({ inputs, error }),
    };
    const apiKey = values.api_key.trim();
    if (apiKey) {
      testNew.mutate({ base_url: values.base_url.trim(), api_key: apiKey }, record);
    } else if (server && values.base_url.trim() === server.base_url) {
      // Editing without a new key: test the stored URL and key.
      testSaved.mutate(server.id, record);
    } else {
      setError('api_key', { message: 'form.validation.keyNeededToTest' }, { shouldFocus: true });
    }
  };

  const onSubmit = (values: ServerFormInput) => {
    save.mutate(values, {
      onSuccess: (saved) =>
        onSaved(saved, {
          created: !editing,
          connectionChanged: !editing || saved.base_url !== server.base_url || !!values.api_key,
        }),
      onError: (error) => {
        if (!isApiError(error)) return;
        const conflict = CONFLICT_FIELDS[error.code];
        if (conflict) {
          setError(conflict, { message: `errors.${error.code}` }, { shouldFocus: true });
        }
        for (const fieldError of error.fieldErrors) {
          const field = FIELDS.find((name) => name === fieldError.field);
          if (field) setError(field, { message: fieldError.message });
        }
      },
    });
  };

  const saveError = save.error;

  return (
    <Form
      noValidate
      onSubmit={(event) => void handleSubmit(onSubmit)(event)}
      aria-describedby={saveError ? ids.error : undefined}
    >
      <div className={bodyClassName}>
        {saveError ? (
          <ApiErrorAlert error={saveError} title={t('form.saveFailed')} id={ids.error} />
        ) : null}

        <Form.Group className="mb-3" controlId="server-name">
          <Form.Label>{t('form.name')}</Form.Label>
          <Form.Control
            type="text"
            autoComplete="off"
            placeholder={t('form.namePlaceholder')}
            isInvalid={Boolean(errors.name)}
            aria-invalid={Boolean(errors.name)}
            {...register('name')}
          />
          <Form.Control.Feedback type="invalid">
            {fieldMessage(errors.name?.message)}
          </Form.Control.Feedback>
        </Form.Group>

        <Form.Group className="mb-3" controlId="server-url">
          <Form.Label>{t('form.url')}</Form.Label>
          <Form.Control
            type="url"
            inputMode="url"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder={t('form.urlPlaceholder')}
            isInvalid={Boolean(errors.base_url)}
            aria-invalid={Boolean(errors.base_url)}
            aria-describedby={ids.urlHelp}
            {...register('base_url')}
          />
          <Form.Control.Feedback type="invalid">
            {fieldMessage(errors.base_url?.message)}
          </Form.Control.Feedback>
          <Form.Text id={ids.urlHelp}>{t('form.urlHelp')}</Form.Text>
        </Form.Group>

        <Form.Group className="mb-3" controlId="server-api-key">
          <Form.Label>{t('form.apiKey')}</Form.Label>
          <InputGroup hasValidation>
            <Form.Control
              type={showKey ? 'text' : 'password'}
              autoComplete="new-password"
              autoCapitalize="none"
              spellCheck={false}
              isInvalid={Boolean(errors.api_key)}
              aria-invalid={Boolean(errors.api_key)}
              aria-describedby={ids.keyHelp}
              {...register('api_key')}
            />
            <Button
              variant="outline-secondary"
              onClick={() => setShowKey((shown) => !shown)}
              aria-label={showKey ? t('form.hideKey') : t('form.showKey')}
              aria-pressed={showKey}
              title={showKey ? t('form.hideKey') : t('form.showKey')}
            >
              <Icon name={showKey ? 'eye-slash' : 'eye'} />
            </Button>
            <Form.Control.Feedback type="invalid">
              {fieldMessage(errors.api_key?.message)}
            </Form.Control.Feedback>
          </InputGroup>
          <Form.Text id={ids.keyHelp}>
            {server ? t('form.apiKeyKeep', { last4: server.api_key_last4 }) : t('form.apiKeyHelp')}
          </Form.Text>
        </Form.Group>

        <div className="d-flex flex-column gap-2">
          <div>
            <Button
              variant="outline-primary"
              onClick={() => void runTest()}
              disabled={testing}
              aria-describedby={shownOutcome ? ids.outcome : undefined}
            >
              {testing ? (
                <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
              ) : (
                <Icon name="plug" className="me-2" />
              )}
              {testing ? t('form.testing') : t('form.test')}
            </Button>
          </div>
          <div id={ids.outcome} aria-live="polite">
            {shownOutcome ? (
              'result' in shownOutcome ? (
                <TestResultView result={shownOutcome.result} />
              ) : (
                <ApiErrorAlert
                  error={shownOutcome.error}
                  title={t('test.failed')}
                  className="mb-0"
                />
              )
            ) : null}
          </div>
        </div>
      </div>

      <div className={footerClassName}>
        <Button variant="outline-secondary" onClick={onCancel}>
          {t('form.cancel')}
        </Button>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? (
            <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
          ) : null}
          {save.isPending ? t('form.saving') : t('form.save')}
        </Button>
      </div>
    </Form>
  );
}
