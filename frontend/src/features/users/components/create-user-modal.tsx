import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import { useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import type { UserCreated } from '@/api/generated/types.gen';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { getErrorMessage } from '@/lib/api-error';

import { type CreateUserInput, createUserInputSchema, ROLES, useCreateUser } from '../api/users';
import { useUsersTranslation } from '../i18n';

const FIELDS = ['username', 'email', 'role', 'password'] as const;

export interface CreateUserModalProps {
  show: boolean;
  onClose: () => void;
  /** Called once the user exists (after the generated password was shown, if any). */
  onCreated: (created: UserCreated) => void;
}

/**
 * Creates a user. Without a password the server generates one: it is shown here once,
 * with a copy button, and is gone when the dialog closes.
 */
export function CreateUserModal({ show, onClose, onCreated }: CreateUserModalProps) {
  const { t } = useUsersTranslation();
  const common = useTranslation().t;
  const titleId = useId();
  const [created, setCreated] = useState<UserCreated | null>(null);
  const form = useForm<CreateUserInput>({
    resolver: zodResolver(createUserInputSchema),
    defaultValues: { username: '', email: '', role: 'viewer', password: '' },
  });
  const { register, handleSubmit, setError, formState, reset, control } = form;
  const role = useWatch({ control, name: 'role' });
  const mutation = useCreateUser();

  const close = () => {
    if (created) onCreated(created);
    setCreated(null);
    reset();
    mutation.reset();
    onClose();
  };

  const submit = handleSubmit((values) => {
    mutation.mutate(values, {
      onSuccess: (data) => {
        if (data.password) {
          setCreated(data);
        } else {
          onCreated(data);
          reset();
          mutation.reset();
          onClose();
        }
      },
      onError: (error) => {
        for (const fieldError of error.fieldErrors) {
          const field = FIELDS.find((name) => name === fieldError.field);
          if (field) setError(field, { message: fieldError.message });
        }
      },
    });
  });

  const message = (key: string | undefined) => (key ? t(key, { defaultValue: key }) : undefined);
  const { errors } = formState;

  return (
    <Modal
      aria-labelledby={titleId}
      show={show}
      onHide={close}
      centered
      backdrop={created ? 'static' : true}
    >
      <Modal.Header closeButton closeLabel={common('common.close')}>
        <Modal.Title id={titleId} as="h2" className="h5">
          {created
            ? t('create.generatedTitle', { username: created.user.username })
            : t('create.title')}
        </Modal.Title>
      </Modal.Header>
      {created?.password ? (
        <>
          <Modal.Body>
            <p className="small text-body-secondary">{t('create.generatedHelp')}</p>
            <OneTimeSecret value={created.password} label={t('create.generatedPassword')} />
          </Modal.Body>
          <Modal.Footer>
            <Button variant="primary" onClick={close}>
              {t('create.done')}
            </Button>
          </Modal.Footer>
        </>
      ) : (
        <Form noValidate onSubmit={(event) => void submit(event)}>
          <Modal.Body>
            {mutation.isError ? (
              <Alert variant="danger">{getErrorMessage(mutation.error, common)}</Alert>
            ) : null}
            <Form.Group className="mb-3" controlId="create-user-username">
              <Form.Label>{t('create.username')}</Form.Label>
              <Form.Control
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                autoFocus
                isInvalid={Boolean(errors.username)}
                aria-describedby="create-user-username-help"
                {...register('username')}
              />
              <Form.Text id="create-user-username-help">{t('create.usernameHelp')}</Form.Text>
              <Form.Control.Feedback type="invalid">
                {message(errors.username?.message)}
              </Form.Control.Feedback>
            </Form.Group>
            <Form.Group className="mb-3" controlId="create-user-email">
              <Form.Label>{t('create.email')}</Form.Label>
              <Form.Control
                type="email"
                autoComplete="off"
                isInvalid={Boolean(errors.email)}
                {...register('email')}
              />
              <Form.Control.Feedback type="invalid">
                {message(errors.email?.message)}
              </Form.Control.Feedback>
            </Form.Group>
            <Form.Group className="mb-3" controlId="create-user-role">
              <Form.Label>{t('create.role')}</Form.Label>
              <Form.Select aria-describedby="create-user-role-help" {...register('role')}>
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {t(`roles.${role}`)}
                  </option>
                ))}
              </Form.Select>
              <Form.Text id="create-user-role-help">{t(`roleHelp.${role}`)}</Form.Text>
            </Form.Group>
            <Form.Group controlId="create-user-password">
              <Form.Label>{t('create.password')}</Form.Label>
              <Form.Control
                type="password"
                autoComplete="new-password"
                isInvalid={Boolean(errors.password)}
                aria-describedby="create-user-password-help"
                {...register('password')}
              />
              <Form.Text id="create-user-password-help">{t('create.passwordHelp')}</Form.Text>
              <Form.Control.Feedback type="invalid">
                {message(errors.password?.message)}
              </Form.Control.Feedback>
            </Form.Group>
          </Modal.Body>
          <Modal.Footer>
            <Button variant="outline-secondary" onClick={close}>
              {common('common.cancel')}
            </Button>
            <Button type="submit" variant="primary" disabled={mutation.isPending}>
              {mutation.isPending ? t('create.submitting') : t('create.submit')}
            </Button>
          </Modal.Footer>
        </Form>
      )}
    </Modal>
  );
}
