import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { LoginForm } from '../login-form';

const loginOk = () =>
  json({ user: createUser(), csrf_token: 'tok', expires_at: '2026-01-01T13:00:00Z' });

function setup() {
  const onSuccess = vi.fn();
  const utils = renderWithProviders(<LoginForm onSuccess={onSuccess} />);
  const username = screen.getByLabelText('Usuário');
  const password = screen.getByLabelText('Senha');
  const submit = screen.getByRole('button', { name: 'Entrar' });
  return { ...utils, onSuccess, username, password, submit };
}

describe('LoginForm', () => {
  it('asks for both fields, in Portuguese, without calling the API', async () => {
    const { fetchMock } = mockFetch({});
    const { user, submit, username, password } = setup();

    await user.click(submit);

    expect(await screen.findByText('Informe o usuário.')).toBeVisible();
    expect(screen.getByText('Informe a senha.')).toBeVisible();
    expect(username).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('treats a username of spaces as empty', async () => {
    mockFetch({});
    const { user, submit, username, password } = setup();
    await user.type(username, '   ');
    await user.type(password, 'x');
    await user.click(submit);
    expect(await screen.findByText('Informe o usuário.')).toBeVisible();
    expect(screen.queryByText('Informe a senha.')).not.toBeInTheDocument();
  });

  it('logs in and hands the user over', async () => {
    const { requests } = mockFetch({ 'POST /api/auth/login': loginOk });
    const { user, submit, username, password, onSuccess } = setup();

    await user.type(username, ' maria ');
    await user.type(password, 'correct horse');
    await user.click(submit);

    await waitFor(() => expect(onSuccess).toHaveBeenCalledWith(createUser()));
    expect(await requests[0].json()).toEqual({ username: 'maria', password: 'correct horse' });
  });

  it('shows the API error for wrong credentials', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json({ error: 'invalid_credentials', detail: 'Invalid credentials' }, { status: 401 }),
    });
    const { user, submit, username, password, onSuccess } = setup();

    await user.type(username, 'maria');
    await user.type(password, 'wrong');
    await user.click(submit);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Não foi possível entrar');
    expect(alert).toHaveTextContent('Usuário ou senha incorretos.');
    expect(onSuccess).not.toHaveBeenCalled();
    expect(submit).toBeEnabled();
  });

  it("shows an unknown error's detail as the backend wrote it", async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json({ error: 'sso_required', detail: 'Use o login da empresa.' }, { status: 403 }),
    });
    const { user, submit, username, password } = setup();
    await user.type(username, 'maria');
    await user.type(password, 'x');
    await user.click(submit);
    expect(await screen.findByRole('alert')).toHaveTextContent('Use o login da empresa.');
  });

  it('puts API field errors on their fields', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json(
          {
            error: 'validation_error',
            detail: 'Invalid payload',
            errors: [{ field: 'username', message: 'Usuário inválido' }],
          },
          { status: 422 },
        ),
    });
    const { user, submit, username, password } = setup();
    await user.type(username, 'x');
    await user.type(password, 'y');
    await user.click(submit);
    expect(await screen.findByText('Usuário inválido')).toBeVisible();
    expect(username).toHaveAttribute('aria-invalid', 'true');
  });

  it('on 429 shows the wait time and keeps the button disabled until it passes', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json(
          { error: 'too_many_attempts', detail: 'Too many attempts' },
          { status: 429, headers: { 'Retry-After': '2' } },
        ),
    });
    const { user, submit, username, password } = setup();
    await user.type(username, 'maria');
    await user.type(password, 'x');

    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      await user.click(submit);
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent('Muitas tentativas');
      expect(alert).toHaveTextContent('Aguarde 2 segundos para tentar de novo.');
      expect(submit).toBeDisabled();

      await act(() => vi.advanceTimersByTimeAsync(1000));
      expect(screen.getByTestId('login-wait')).toHaveTextContent('Aguarde 1 segundo');

      await act(() => vi.advanceTimersByTimeAsync(1500));
      expect(screen.queryByTestId('login-wait')).not.toBeInTheDocument();
      expect(submit).toBeEnabled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('on 503 (too many logins being checked) says so and when to try again', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json(
          { error: 'login_busy', detail: 'Too many logins are being checked right now.' },
          { status: 503, headers: { 'Retry-After': '2' } },
        ),
    });
    const { user, submit, username, password } = setup();
    await user.type(username, 'maria');
    await user.type(password, 'x');
    await user.click(submit);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Muitos acessos sendo verificados agora.');
    expect(alert).toHaveTextContent('Aguarde 2 segundos para tentar de novo.');
    expect(submit).toBeDisabled();
  });

  it('toggles the password visibility', async () => {
    mockFetch({});
    const { user, password } = setup();
    expect(password).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Mostrar senha' }));
    expect(password).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Ocultar senha' }));
    expect(password).toHaveAttribute('type', 'password');
  });
});
