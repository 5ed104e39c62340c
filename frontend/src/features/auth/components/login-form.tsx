import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import InputGroup from 'react-bootstrap/InputGroup';
import Spinner from 'react-bootstrap/Spinner';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { useCountdown } from '@/hooks/use-countdown';
import { getErrorMessage } from '@/lib/api-error';

import type { User } from '../api/get-me';
import { type LoginInput, loginInputSchema, useLogin } from '../api/login';

export interface LoginFormProps {
  onSuccess: (user: User) => void;
}

const FIELDS = ['username', 'password'] as const;

export function LoginForm({ onSuccess }: LoginFormProps) {
  const { t, i18n } = useTranslation();
  const [showPassword, setShowPassword] = useState(false);
  const countdown = useCountdown();
  const waitSeconds = countdown.remaining;
  const errorId = useId();

  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<LoginInput>({
    resolver: zodResolver(loginInputSchema),
    defaultValues: { username: '', password: '' },
  });

  const loginMutation = useLogin({
    onSuccess: (data) => onSuccess(data.user),
    onError: (error) => {
      // 429: throttled; 503: too many logins being checked right now. Both say when.
      if ((error.status === 429 || error.status === 503) && error.retryAfterSeconds !== null) {
        countdown.start(error.retryAfterSeconds);
      } else {
        countdown.reset();
      }
      for (const fieldError of error.fieldErrors) {
        const field = FIELDS.find((name) => name === fieldError.field);
        if (field) setError(field, { message: fieldError.message });
      }
    },
  });

  // Schema messages are i18n keys; messages from the API are shown as they came.
  const fieldMessage = (message: string | undefined) =>
    message && i18n.exists(message) ? t(message) : message;

  const apiError = loginMutation.error;
  const throttled = apiError?.status === 429;
  const busy = apiError?.status === 503;
  const submitting = loginMutation.isPending;

  return (
    <Form
      noValidate
      onSubmit={(event) => void handleSubmit((values) => loginMutation.mutate(values))(event)}
      aria-describedby={apiError ? errorId : undefined}
    >
      {apiError ? (
        <Alert variant="danger" role="alert" id={errorId} className="d-flex gap-2">
          <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
          <div>
            <strong className="d-block">{t('auth.failed')}</strong>
            {throttled
              ? t('errors.tooManyRequests')
              : busy
                ? t('auth.busy')
                : getErrorMessage(apiError, t)}
            {(throttled || busy) && waitSeconds > 0 ? (
              <span className="d-block" data-testid="login-wait">
                {t('auth.waitSeconds', { count: waitSeconds })}
              </span>
            ) : null}
          </div>
        </Alert>
      ) : null}

      <Form.Group className="mb-3" controlId="login-username">
        <Form.Label>{t('auth.username')}</Form.Label>
        <Form.Control
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          isInvalid={Boolean(errors.username)}
          aria-invalid={Boolean(errors.username)}
          {...register('username')}
        />
        <Form.Control.Feedback type="invalid">
          {fieldMessage(errors.username?.message)}
        </Form.Control.Feedback>
      </Form.Group>

      <Form.Group className="mb-4" controlId="login-password">
        <Form.Label>{t('auth.password')}</Form.Label>
        <InputGroup hasValidation>
          <Form.Control
            type={showPassword ? 'text' : 'password'}
            autoComplete="current-password"
            isInvalid={Boolean(errors.password)}
            aria-invalid={Boolean(errors.password)}
            {...register('password')}
          />
          <Button
            variant="outline-secondary"
            onClick={() => setShowPassword((shown) => !shown)}
            aria-label={showPassword ? t('auth.hidePassword') : t('auth.showPassword')}
            aria-pressed={showPassword}
            title={showPassword ? t('auth.hidePassword') : t('auth.showPassword')}
          >
            <Icon name={showPassword ? 'eye-slash' : 'eye'} />
          </Button>
          <Form.Control.Feedback type="invalid">
            {fieldMessage(errors.password?.message)}
          </Form.Control.Feedback>
        </InputGroup>
      </Form.Group>

      <Button
        type="submit"
        variant="primary"
        size="lg"
        className="w-100 btn-gradient"
        disabled={submitting || ((throttled || busy) && waitSeconds > 0)}
      >
        {submitting ? (
          <>
            <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
            {t('auth.submitting')}
          </>
        ) : (
          <>
            <Icon name="box-arrow-in-right" className="me-2" />
            {t('auth.submit')}
          </>
        )}
      </Button>
    </Form>
  );
}
