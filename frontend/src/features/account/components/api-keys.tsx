import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import type { ApiKeyCreated, ApiKeyRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { getErrorMessage } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';

import {
  apiKeyState,
  type CreateApiKeyInput,
  createApiKeyInputSchema,
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

/** The person's API keys: create one (shown once), see them, revoke them. */
export function ApiKeys() {
  const { t } = useAccountTranslation();
  const keys = useApiKeys();
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyRead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <p className="small text-body-secondary">{t('keys.help')}</p>
      <CreateApiKeyForm
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
        <ApiKeyTable keys={keys.data} onRevoke={setRevoking} />
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

function CreateApiKeyForm({ onCreated }: { onCreated: (created: ApiKeyCreated) => void }) {
  const { t } = useAccountTranslation();
  const common = useTranslation().t;
  const id = useId();
  const create = useCreateApiKey();
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors },
  } = useForm<CreateApiKeyInput>({
    resolver: zodResolver(createApiKeyInputSchema),
    defaultValues: { name: '', expires: '', canCreateKeys: false },
  });
  const message = (key: string | undefined) => (key ? t(key, { defaultValue: key }) : null);

  return (
    <Form
      noValidate
      className="mb-3"
      onSubmit={(event) =>
        void handleSubmit((values) =>
          create.mutate(values, {
            onSuccess: (data) => {
              reset();
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
        <Form.Group className="col-12 col-md-5" controlId={`${id}-name`}>
          <Form.Label className="small mb-1">{t('keys.name')}</Form.Label>
          <Form.Control
            placeholder={t('keys.namePlaceholder')}
            autoComplete="off"
            isInvalid={Boolean(errors.name)}
            {...register('name')}
          />
          <Form.Control.Feedback type="invalid">
            {message(errors.name?.message)}
          </Form.Control.Feedback>
        </Form.Group>
        <Form.Group className="col-12 col-sm-7 col-md-4" controlId={`${id}-expires`}>
          <Form.Label className="small mb-1">{t('keys.expires')}</Form.Label>
          <Form.Control type="date" isInvalid={Boolean(errors.expires)} {...register('expires')} />
          <Form.Control.Feedback type="invalid">
            {message(errors.expires?.message)}
          </Form.Control.Feedback>
        </Form.Group>
        <div className="col-12 col-sm-5 col-md-3">
          <span className="form-label small mb-1 d-none d-sm-block" aria-hidden="true">
            &nbsp;
          </span>
          <Button type="submit" className="w-100" disabled={create.isPending}>
            {create.isPending ? t('keys.creating') : t('keys.create')}
          </Button>
        </div>
        <Form.Group className="col-12" controlId={`${id}-can-create`}>
          <Form.Check
            type="checkbox"
            className="small"
            label={t('keys.canCreateKeys')}
            aria-describedby={`${id}-can-create-help`}
            {...register('canCreateKeys')}
          />
          <Form.Text id={`${id}-can-create-help`}>{t('keys.canCreateKeysHelp')}</Form.Text>
        </Form.Group>
      </div>
    </Form>
  );
}

function ApiKeyTable({
  keys,
  onRevoke,
}: {
  keys: readonly ApiKeyRead[];
  onRevoke: (key: ApiKeyRead) => void;
}) {
  const { t, i18n } = useAccountTranslation();
  const when = (value: string | null, empty: string) =>
    value ? formatDateTime(value, i18n.language) : empty;
  return (
    <TableScroll label={t('keys.list')}>
      <table className="table align-middle small mb-0" aria-label={t('keys.list')}>
        <thead>
          <tr>
            <th scope="col">{t('keys.name')}</th>
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
            return (
              <tr key={key.id} data-testid="api-key-row">
                <td className="text-break">
                  <span className="fw-semibold">{key.name}</span>
                  {key.can_create_keys ? (
                    <span className="badge text-bg-light border ms-2">{t('keys.mintsKeys')}</span>
                  ) : null}
                  <code className="d-block small">{key.prefix}…</code>
                </td>
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
  const common = useTranslation().t;
  const titleId = useId();
  const revoke = useRevokeApiKey();
  return (
    <Modal aria-labelledby={titleId} show onHide={onClose} centered>
      <Modal.Header closeButton closeLabel={common('common.close')}>
        <Modal.Title id={titleId} as="h2" className="h5">
          {t('keys.revokeTitle', { name: apiKey.name })}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {revoke.isError ? (
          <Alert variant="danger">{getErrorMessage(revoke.error, common)}</Alert>
        ) : null}
        <p className="mb-0">{t('keys.revokeBody')}</p>
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onClose}>
          {common('common.cancel')}
        </Button>
        <Button
          variant="danger"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate(apiKey.id, { onSuccess: () => onRevoked(apiKey) })}
        >
          {t('keys.revoke')}
        </Button>
      </Modal.Footer>
    </Modal>
  );
}
