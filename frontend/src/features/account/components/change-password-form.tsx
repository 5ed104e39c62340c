import { zodResolver } from '@hookform/resolvers/zod';
import { useId } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { getErrorMessage } from '@/lib/api-error';

import {
  type ChangePasswordInput,
  changePasswordInputSchema,
  useChangePassword,
} from '../api/account';
import { useAccountTranslation } from '../i18n';

export interface ChangePasswordFormProps {
  username: string;
  /** The session could not be renewed: send the person to the login page. */
  onLoginAgain: () => void;
}

export function ChangePasswordForm({ username, onLoginAgain }: ChangePasswordFormProps) {
  const { t } = useAccountTranslation();
  const common = useTranslation().t;
  const id = useId();
  const mutation = useChangePassword(username);
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors },
  } = useForm<ChangePasswordInput>({
    resolver: zodResolver(changePasswordInputSchema),
    defaultValues: { current: '', next: '', confirm: '', revokeApiKeys: false },
  });
  const message = (key: string | undefined) => (key ? t(key, { defaultValue: key }) : null);

  return (
    <Form
      noValidate
      onSubmit={(event) =>
        void handleSubmit((values) => mutation.mutate(values, { onSuccess: () => reset() }))(event)
      }
    >
      {/* Password managers like a username next to the password fields. */}
      <input type="text" autoComplete="username" value={username} readOnly hidden />
      {mutation.isError ? (
        <Alert variant="danger">{getErrorMessage(mutation.error, common)}</Alert>
      ) : null}
      {mutation.isSuccess ? (
        <Alert variant="success" role="status">
          <p className="mb-0">{t('password.changed')}</p>
          {!mutation.data.loggedIn ? (
            <Button variant="success" size="sm" className="mt-2" onClick={onLoginAgain}>
              {t('password.loginAgain')}
            </Button>
          ) : null}
        </Alert>
      ) : null}
      <Form.Group className="mb-3" controlId={`${id}-current`}>
        <Form.Label>{t('password.current')}</Form.Label>
        <Form.Control
          type="password"
          autoComplete="current-password"
          isInvalid={Boolean(errors.current)}
          {...register('current')}
        />
        <Form.Control.Feedback type="invalid">
          {message(errors.current?.message)}
        </Form.Control.Feedback>
      </Form.Group>
      <Form.Group className="mb-3" controlId={`${id}-new`}>
        <Form.Label>{t('password.new')}</Form.Label>
        <Form.Control
          type="password"
          autoComplete="new-password"
          isInvalid={Boolean(errors.next)}
          aria-describedby={`${id}-new-help`}
          {...register('next')}
        />
        <Form.Text id={`${id}-new-help`}>{t('password.newHelp')}</Form.Text>
        <Form.Control.Feedback type="invalid">
          {message(errors.next?.message)}
        </Form.Control.Feedback>
      </Form.Group>
      <Form.Group className="mb-3" controlId={`${id}-confirm`}>
        <Form.Label>{t('password.confirm')}</Form.Label>
        <Form.Control
          type="password"
          autoComplete="new-password"
          isInvalid={Boolean(errors.confirm)}
          {...register('confirm')}
        />
        <Form.Control.Feedback type="invalid">
          {message(errors.confirm?.message)}
        </Form.Control.Feedback>
      </Form.Group>
      <Form.Group className="mb-3" controlId={`${id}-revoke-keys`}>
        <Form.Check
          type="checkbox"
          label={t('password.revokeApiKeys')}
          aria-describedby={`${id}-revoke-keys-help`}
          {...register('revokeApiKeys')}
        />
        <Form.Text id={`${id}-revoke-keys-help`}>{t('password.sessionsEnd')}</Form.Text>
      </Form.Group>
      <Button type="submit" variant="primary" disabled={mutation.isPending}>
        {mutation.isPending ? t('password.submitting') : t('password.submit')}
      </Button>
    </Form>
  );
}
