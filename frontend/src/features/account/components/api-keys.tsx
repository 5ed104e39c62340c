import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { ConfirmModal } from '@/components/ui/confirm-modal';
import type { ApiKeyCreated, ApiKeyRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { MultiSelect } from '@/components/ui/multi-select';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { getErrorMessage } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';
import {
  instancePicker,
  type PickerSource,
  pickerNamesQueryOptions,
  teamPicker,
} from '@/lib/pickers';

import {
  apiKeyState,
  type CreateApiKeyInput,
  createApiKeyInputSchema,
  emptyApiKeyInput,
  hasLimits,
  KEY_LIMITS,
  OPERATIONS,
  WRITE_OPERATIONS,
  useApiKeys,
  useCreateApiKey,
  useRevokeApiKey,
} from '../api/account';
import { useAccountTranslation } from '../i18n';
import { TableScroll } from '@/components/ui/table-scroll';

const STATE_VARIANTS = {
  active: 'text-bg-success',
  revoked: 'text-bg-secondary',
  expired: 'text-bg-warning',
} as const;

/**
 * The person's API keys: create one (shown once), maybe limited (read-only, some
 * operations, some instances or teams), see them with their limits, revoke them.
 */
export function ApiKeys({ canLimitToTeams = false }: { canLimitToTeams?: boolean }) {
  const { t } = useAccountTranslation();
  const keys = useApiKeys();
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyRead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <p className="small text-body-secondary">{t('keys.help')}</p>
      <CreateApiKeyForm
        canLimitToTeams={canLimitToTeams}
        onCreated={(data) => {
          setNotice(null);
          setCreated(data);
        }}
      />
      {notice ? (
        <Alert variant="success" dismissible onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      ) : null}
      {keys.isPending ? (
        <LoadingState />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState
          icon="shield-lock"
          title={t('keys.emptyTitle')}
          description={t('keys.emptyDescription')}
        />
      ) : (
        <ApiKeyTable keys={keys.data} canLimitToTeams={canLimitToTeams} onRevoke={setRevoking} />
      )}

      <CreatedKeyModal created={created} onClose={() => setCreated(null)} />
      {revoking ? (
        <RevokeModal
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={(key) => {
            setRevoking(null);
            setNotice(t('keys.revoked_notice', { name: key.name }));
          }}
        />
      ) : null}
    </>
  );
}

function CreateApiKeyForm({
  canLimitToTeams,
  onCreated,
}: {
  canLimitToTeams: boolean;
  onCreated: (created: ApiKeyCreated) => void;
}) {
  const { t } = useAccountTranslation();
  const common = useTranslation().t;
  const id = useId();
  const create = useCreateApiKey();
  const {
    register,
    handleSubmit,
    reset,
    control,
    setValue,
    getValues,
    formState: { errors },
  } = useForm<CreateApiKeyInput>({
    resolver: zodResolver(createApiKeyInputSchema),
    defaultValues: emptyApiKeyInput,
  });
  const limited = useWatch({ control, name: 'limited' });
  const readOnly = useWatch({ control, name: 'readOnly' });
  const message = (key: string | undefined) => (key ? t(key, { defaultValue: key }) : null);
  // A read-only key cannot write: its write operations are unchecked and locked.
  const readOnlyField = register('readOnly', {
    onChange: (event: { target: { checked: boolean } }) => {
      if (event.target.checked) {
        setValue(
          'operations',
          getValues('operations').filter((operation) => !WRITE_OPERATIONS.has(operation)),
        );
      }
    },
  });

  return (
    <Form
      noValidate
      className="mb-3"
      aria-label={t('keys.formLabel')}
      onSubmit={(event) =>
        void handleSubmit((values) =>
          create.mutate(values, {
            onSuccess: (data) => {
              reset(emptyApiKeyInput);
              onCreated(data);
            },
          }),
        )(event)
      }
    >
      {create.isError ? (
        <Alert variant="danger">{getErrorMessage(create.error, common)}</Alert>
      ) : null}
      <div className="row g-2 align-items-start">
        <Form.Group className="col-12 col-md-7" controlId={`${id}-name`}>
          <Form.Label className="small mb-1">{t('keys.name')}</Form.Label>
          <Form.Control
            placeholder={t('keys.namePlaceholder')}
            autoComplete="off"
            maxLength={100}
            isInvalid={Boolean(errors.name)}
            {...register('name')}
          />
          <Form.Control.Feedback type="invalid">
            {message(errors.name?.message)}
          </Form.Control.Feedback>
        </Form.Group>
        <Form.Group className="col-12 col-md-5" controlId={`${id}-expires`}>
          <Form.Label className="small mb-1">{t('keys.expires')}</Form.Label>
          <Form.Control type="date" isInvalid={Boolean(errors.expires)} {...register('expires')} />
          <Form.Control.Feedback type="invalid">
            {message(errors.expires?.message)}
          </Form.Control.Feedback>
        </Form.Group>
        <Form.Group className="col-12" controlId={`${id}-can-create`}>
          <Form.Check
            type="checkbox"
            className="small mb-0"
            label={t('keys.canCreateKeys')}
            aria-describedby={`${id}-can-create-help`}
            {...register('canCreateKeys')}
          />
          <Form.Text id={`${id}-can-create-help`}>{t('keys.canCreateKeysHelp')}</Form.Text>
        </Form.Group>
        <Form.Group className="col-12" controlId={`${id}-limited`}>
          <Form.Check
            type="checkbox"
            className="small mb-0"
            label={t('keys.limited')}
            aria-describedby={`${id}-limited-help`}
            aria-expanded={limited}
            aria-controls={`${id}-limits`}
            {...register('limited')}
          />
          <Form.Text id={`${id}-limited-help`}>{t('keys.limitedHelp')}</Form.Text>
        </Form.Group>
        {limited ? (
          <div className="col-12" id={`${id}-limits`}>
            <div className="border rounded p-3 d-grid gap-3 api-key-limits">
              <Form.Group controlId={`${id}-read-only`}>
                <Form.Check
                  type="switch"
                  label={t('keys.readOnly')}
                  aria-describedby={`${id}-read-only-help`}
                  {...readOnlyField}
                />
                <Form.Text id={`${id}-read-only-help`}>{t('keys.readOnlyHelp')}</Form.Text>
              </Form.Group>
              <fieldset aria-describedby={`${id}-operations-help`}>
                <legend className="form-label fs-6 mb-1">{t('keys.operations')}</legend>
                <Controller
                  control={control}
                  name="operations"
                  render={({ field }) => (
                    <>
                      {OPERATIONS.map((operation) => {
                        const locked = readOnly && WRITE_OPERATIONS.has(operation);
                        return (
                          <Form.Check
                            key={operation}
                            id={`${id}-operation-${operation}`}
                            type="checkbox"
                            className="mb-1"
                            disabled={locked}
                            checked={field.value.includes(operation)}
                            onChange={(event) =>
                              field.onChange(
                                event.target.checked
                                  ? [...field.value, operation]
                                  : field.value.filter((item) => item !== operation),
                              )
                            }
                            aria-describedby={`${id}-operation-${operation}-help`}
                            label={
                              <>
                                {t(`keys.operationNames.${operation}`)}
                                <span
                                  id={`${id}-operation-${operation}-help`}
                                  className="d-block small text-body-secondary"
                                >
                                  {t(`keys.operationHelp.${operation}`)}
                                </span>
                              </>
                            }
                          />
                        );
                      })}
                    </>
                  )}
                />
                <Form.Text id={`${id}-operations-help`}>{t('keys.operationsHelp')}</Form.Text>
              </fieldset>
              <Controller
                control={control}
                name="instanceIds"
                render={({ field }) => (
                  <MultiSelect
                    label={t('keys.instances')}
                    help={t('keys.instancesHelp')}
                    source={instancePicker}
                    value={field.value}
                    onChange={field.onChange}
                    max={KEY_LIMITS.instances}
                  />
                )}
              />
              {canLimitToTeams ? (
                <Controller
                  control={control}
                  name="teamIds"
                  render={({ field }) => (
                    <MultiSelect
                      label={t('keys.teams')}
                      help={t('keys.teamsHelp')}
                      source={teamPicker}
                      value={field.value}
                      onChange={field.onChange}
                      max={KEY_LIMITS.teams}
                    />
                  )}
                />
              ) : null}
            </div>
          </div>
        ) : null}
        <div className="col-12 col-sm-auto">
          <Button type="submit" className="w-100" disabled={create.isPending}>
            {create.isPending ? t('keys.creating') : t('keys.create')}
          </Button>
        </div>
      </div>
    </Form>
  );
}

/** What a key is limited to, as short badges; its names asked for once per table. */
function KeyLimits({
  apiKey,
  instanceNames,
  teamNames,
}: {
  apiKey: ApiKeyRead;
  instanceNames: Names;
  teamNames: Names;
}) {
  const { t } = useAccountTranslation();
  if (!hasLimits(apiKey)) {
    return <span className="text-body-secondary">{t('keys.unlimited')}</span>;
  }
  const named = (ids: readonly number[], { names, gone }: Names) =>
    ids
      .map((key) => names.get(key) ?? (gone.has(key) ? t('keys.gone', { id: key }) : `#${key}`))
      .join(', ');
  return (
    <ul className="list-unstyled d-flex flex-wrap gap-1 mb-0" aria-label={t('keys.limits')}>
      {apiKey.read_only ? (
        <li className="badge text-bg-warning fw-normal">{t('keys.readOnlyBadge')}</li>
      ) : null}
      {apiKey.operations.map((operation) => (
        <li key={operation} className="badge text-bg-light border fw-normal">
          {t(`keys.operationNames.${operation}`, { defaultValue: operation })}
        </li>
      ))}
      {apiKey.instance_ids.length > 0 ? (
        <li className="badge text-bg-light border fw-normal text-wrap text-start">
          {t('keys.instancesBadge', {
            count: apiKey.instance_ids.length,
            names: named(apiKey.instance_ids, instanceNames),
          })}
        </li>
      ) : null}
      {apiKey.team_ids.length > 0 ? (
        <li className="badge text-bg-light border fw-normal text-wrap text-start">
          {t('keys.teamsBadge', {
            count: apiKey.team_ids.length,
            names: named(apiKey.team_ids, teamNames),
          })}
        </li>
      ) : null}
    </ul>
  );
}

interface Names {
  names: ReadonlyMap<number, string>;
  /** Ids that were asked for and did not come back: deleted (or out of reach). */
  gone: ReadonlySet<number>;
}

function useNames(source: PickerSource, ids: readonly number[], enabled = true): Names {
  const options = pickerNamesQueryOptions(source, ids);
  const query = useQuery({ ...options, enabled: enabled && ids.length > 0 });
  const asked = options.queryKey[3];
  return useMemo(() => {
    const names = new Map((query.data ?? []).map((option) => [option.id, option.label]));
    const gone = new Set(query.isSuccess ? asked.filter((id) => !names.has(id)) : []);
    return { names, gone };
  }, [query.data, query.isSuccess, asked]);
}

function ApiKeyTable({
  keys,
  canLimitToTeams,
  onRevoke,
}: {
  keys: readonly ApiKeyRead[];
  canLimitToTeams: boolean;
  onRevoke: (key: ApiKeyRead) => void;
}) {
  const { t, i18n } = useAccountTranslation();
  const when = (value: string | null, empty: string) =>
    value ? formatDateTime(value, i18n.language) : empty;
  const instanceNames = useNames(
    instancePicker,
    keys.flatMap((key) => key.instance_ids),
  );
  // Teams are named from the admins' list; others see how many.
  const teamNames = useNames(
    teamPicker,
    keys.flatMap((key) => key.team_ids),
    canLimitToTeams,
  );
  return (
    <TableScroll label={t('keys.list')}>
      <table className="table align-middle small mb-0" aria-label={t('keys.list')}>
        <thead>
          <tr>
            <th scope="col">{t('keys.name')}</th>
            <th scope="col" className="d-none d-md-table-cell">
              {t('keys.limits')}
            </th>
            <th scope="col" className="d-none d-md-table-cell">
              {t('keys.createdAt')}
            </th>
            <th scope="col" className="d-none d-md-table-cell">
              {t('keys.lastUsed')}
            </th>
            <th scope="col" className="d-none d-lg-table-cell">
              {t('keys.expiresAt')}
            </th>
            <th scope="col">{t('keys.status')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('keys.revoke')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const state = apiKeyState(key);
            const limits = (
              <KeyLimits apiKey={key} instanceNames={instanceNames} teamNames={teamNames} />
            );
            return (
              <tr key={key.id} data-testid="api-key-row">
                <td className="text-break">
                  <span className="fw-semibold">{key.name}</span>
                  {key.can_create_keys ? (
                    <span className="badge text-bg-light border ms-2">{t('keys.mintsKeys')}</span>
                  ) : null}
                  <code className="d-block small">{key.prefix}…</code>
                  <div className="d-md-none mt-1">{limits}</div>
                </td>
                <td className="d-none d-md-table-cell api-key-limits-cell">{limits}</td>
                <td className="d-none d-md-table-cell">{when(key.created_at, '')}</td>
                <td className="d-none d-md-table-cell">
                  {when(key.last_used_at, t('keys.never'))}
                </td>
                <td className="d-none d-lg-table-cell">
                  {when(key.expires_at, t('keys.noExpiry'))}
                </td>
                <td>
                  <span className={`badge ${STATE_VARIANTS[state]}`}>{t(`keys.${state}`)}</span>
                </td>
                <td className="text-end">
                  {state === 'active' ? (
                    <Button
                      variant="outline-danger"
                      size="sm"
                      onClick={() => onRevoke(key)}
                      aria-label={t('keys.revokeNamed', { name: key.name })}
                    >
                      {t('keys.revoke')}
                    </Button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

function CreatedKeyModal({
  created,
  onClose,
}: {
  created: ApiKeyCreated | null;
  onClose: () => void;
}) {
  const { t } = useAccountTranslation();
  const common = useTranslation().t;
  const titleId = useId();
  return (
    <Modal
      aria-labelledby={titleId}
      show={created !== null}
      onHide={onClose}
      centered
      backdrop="static"
    >
      <Modal.Header closeButton closeLabel={common('common.close')}>
        <Modal.Title id={titleId} as="h2" className="h5">
          {t('keys.createdTitle', { name: created?.api_key.name ?? '' })}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {created ? <OneTimeSecret value={created.key} label={t('keys.key')} /> : null}
      </Modal.Body>
      <Modal.Footer>
        <Button onClick={onClose}>{t('keys.done')}</Button>
      </Modal.Footer>
    </Modal>
  );
}

function RevokeModal({
  apiKey,
  onClose,
  onRevoked,
}: {
  apiKey: ApiKeyRead;
  onClose: () => void;
  onRevoked: (key: ApiKeyRead) => void;
}) {
  const { t } = useAccountTranslation();
  const revoke = useRevokeApiKey();
  return (
    <ConfirmModal
      title={t('keys.revokeTitle', { name: apiKey.name })}
      confirmLabel={t('keys.revoke')}
      pending={revoke.isPending}
      error={revoke.error}
      onClose={onClose}
      onConfirm={() => revoke.mutate(apiKey.id, { onSuccess: () => onRevoked(apiKey) })}
    >
      <p className="mb-0">{t('keys.revokeBody')}</p>
    </ConfirmModal>
  );
}
