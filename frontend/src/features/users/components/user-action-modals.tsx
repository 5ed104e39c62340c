import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { ConfirmModal } from '@/components/ui/confirm-modal';
import type { Role, UserRead } from '@/api/generated/types.gen';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { getErrorMessage } from '@/lib/api-error';

import {
  type ResetPasswordInput,
  resetPasswordInputSchema,
  ROLES,
  useResetPassword,
  useUpdateUser,
} from '../api/users';
import { useUsersTranslation } from '../i18n';

export type UserAction = 'role' | 'active' | 'reset';

export interface UserActionModalProps {
  user: UserRead;
  action: UserAction;
  onClose: () => void;
  /** A change was saved: a readable confirmation for the page. */
  onDone: (message: string) => void;
}

/** The dialog for one user action: change role, (de)activate, reset password. */
export function UserActionModal(props: UserActionModalProps) {
  if (props.action === 'role') return <RoleModal {...props} />;
  if (props.action === 'active') return <ActiveModal {...props} />;
  return <ResetPasswordModal {...props} />;
}

function useCommon() {
  return useTranslation().t;
}

function RoleModal({ user, onClose, onDone }: UserActionModalProps) {
  const { t } = useUsersTranslation();
  const common = useCommon();
  const titleId = useId();
  const [role, setRole] = useState<Role>(user.role);
  const update = useUpdateUser();
  return (
    <Modal aria-labelledby={titleId} show onHide={onClose} centered>
      <Form
        onSubmit={(event) => {
          event.preventDefault();
          update.mutate(
            { id: user.id, body: { role } },
            { onSuccess: () => onDone(t('list.updated', { username: user.username })) },
          );
        }}
      >
        <Modal.Header closeButton closeLabel={common('common.close')}>
          <Modal.Title id={titleId} as="h2" className="h5">
            {t('role.title', { username: user.username })}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {update.isError ? (
            <Alert variant="danger">{getErrorMessage(update.error, common)}</Alert>
          ) : null}
          <fieldset>
            <legend className="visually-hidden">{t('list.role')}</legend>
            {ROLES.map((option) => (
              <Form.Check
                key={option}
                type="radio"
                id={`role-${String(user.id)}-${option}`}
                name="role"
                className="mb-2"
                checked={role === option}
                onChange={() => setRole(option)}
                label={
                  <>
                    <span className="fw-semibold">{t(`roles.${option}`)}</span>
                    <span className="d-block small text-body-secondary">
                      {t(`roleHelp.${option}`)}
                    </span>
                  </>
                }
              />
            ))}
          </fieldset>
          <p className="small text-body-secondary mb-0">{t('role.note')}</p>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={onClose}>
            {common('common.cancel')}
          </Button>
          <Button type="submit" disabled={update.isPending || role === user.role}>
            {update.isPending ? t('role.submitting') : t('role.submit')}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}

function ActiveModal({ user, onClose, onDone }: UserActionModalProps) {
  const { t } = useUsersTranslation();
  const update = useUpdateUser();
  const deactivating = user.is_active;
  return (
    <ConfirmModal
      title={
        deactivating
          ? t('active.deactivateTitle', { username: user.username })
          : t('active.activateTitle', { username: user.username })
      }
      confirmLabel={deactivating ? t('active.confirmDeactivate') : t('active.confirmActivate')}
      variant={deactivating ? 'danger' : 'primary'}
      pending={update.isPending}
      error={update.error}
      onClose={onClose}
      onConfirm={() =>
        update.mutate(
          { id: user.id, body: { is_active: !deactivating } },
          { onSuccess: () => onDone(t('list.updated', { username: user.username })) },
        )
      }
    >
      <p className="mb-0">
        {deactivating ? t('active.deactivateBody') : t('active.activateBody')}
      </p>
    </ConfirmModal>
  );
}

function ResetPasswordModal({ user, onClose, onDone }: UserActionModalProps) {
  const { t } = useUsersTranslation();
  const common = useCommon();
  const titleId = useId();
  const reset = useResetPassword();
  const [generated, setGenerated] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<ResetPasswordInput>({
    resolver: zodResolver(resetPasswordInputSchema),
    defaultValues: { password: '' },
  });
  const done = () => onDone(t('reset.done', { username: user.username }));

  return (
    <Modal
      aria-labelledby={titleId}
      show
      onHide={generated ? done : onClose}
      centered
      backdrop={generated ? 'static' : true}
    >
      <Modal.Header closeButton closeLabel={common('common.close')}>
        <Modal.Title id={titleId} as="h2" className="h5">
          {t('reset.title', { username: user.username })}
        </Modal.Title>
      </Modal.Header>
      {generated ? (
        <>
          <Modal.Body>
            <p className="small text-body-secondary">{t('create.generatedHelp')}</p>
            <OneTimeSecret value={generated} label={t('reset.generatedPassword')} />
          </Modal.Body>
          <Modal.Footer>
            <Button onClick={done}>{t('create.done')}</Button>
          </Modal.Footer>
        </>
      ) : (
        <Form
          noValidate
          onSubmit={(event) =>
            void handleSubmit(({ password }) =>
              reset.mutate(
                { id: user.id, password },
                { onSuccess: (newPassword) => (newPassword ? setGenerated(newPassword) : done()) },
              ),
            )(event)
          }
        >
          <Modal.Body>
            {reset.isError ? (
              <Alert variant="danger">{getErrorMessage(reset.error, common)}</Alert>
            ) : null}
            <p className="small">{t('reset.body')}</p>
            <Form.Group controlId={`reset-password-${String(user.id)}`}>
              <Form.Label>{t('reset.password')}</Form.Label>
              <Form.Control
                type="password"
                autoComplete="new-password"
                isInvalid={Boolean(errors.password)}
                {...register('password')}
              />
              <Form.Control.Feedback type="invalid">
                {errors.password?.message ? t(errors.password.message) : null}
              </Form.Control.Feedback>
            </Form.Group>
          </Modal.Body>
          <Modal.Footer>
            <Button variant="outline-secondary" onClick={onClose}>
              {common('common.cancel')}
            </Button>
            <Button type="submit" variant="danger" disabled={reset.isPending}>
              {reset.isPending ? t('reset.submitting') : t('reset.submit')}
            </Button>
          </Modal.Footer>
        </Form>
      )}
    </Modal>
  );
}
