import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderApp } from '@/testing/test-utils';

const unauthorized = () =>
  json({ error: 'not_authenticated', detail: 'Not authenticated' }, { status: 401 });

// The first test also pays for transforming the lazily loaded pages (slow on a busy machine).
describe('authentication flow', { timeout: 20_000 }, () => {
  it('sends a visitor to the login page and back where they were after logging in', async () => {
    let loggedIn = false;
    mockFetch({
      'GET /api/auth/me': () => (loggedIn ? json(createUser()) : unauthorized()),
      'POST /api/auth/login': () => {
        loggedIn = true;
        return json({ user: createUser(), csrf_token: 't', expires_at: '2026-01-01T13:00:00Z' });
      },
    });
    const { router, user } = renderApp('/instances?page=2');

    await screen.findByRole('heading', { name: 'Entrar' });
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/instances?page=2')}`);

    await user.type(screen.getByLabelText('Usuário'), 'maria');
    await user.type(screen.getByLabelText('Senha'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Entrar' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Instâncias' })).toBeVisible();
    expect(router.state.location.pathname).toBe('/instances');
    expect(router.state.location.search).toBe('?page=2');
  });

  it('does not follow a next= that leaves the site', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json({ user: createUser(), csrf_token: 't', expires_at: '2026-01-01T13:00:00Z' }),
      'GET /api/auth/me': () => json(createUser()),
    });
    const { router, user } = renderApp('/login?next=//evil.example/x');
    await user.type(await screen.findByLabelText('Usuário'), 'maria');
    await user.type(screen.getByLabelText('Senha'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Entrar' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
  });

  it('shows the shell with the user, their role and the admin-only menu', async () => {
    mockFetch({
      'GET /api/auth/me': () => json(createUser({ role: 'admin' })),
      'GET /api/stats/overview': () => json({ error: 'internal_error' }, { status: 500 }),
    });
    renderApp('/');

    const nav = await screen.findByRole('navigation', { name: 'Navegação principal' });
    for (const name of ['Dashboard', 'Instâncias', 'Servidores', 'Mensagens', 'Jobs', 'Usuários']) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }
    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    expect(screen.getByRole('button', { name: /^Menu do usuário: maria/ })).toHaveTextContent(
      'Administrador',
    );
  });

  it('hides Usuários from non-admins and refuses the page', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(createUser({ role: 'viewer' })) });
    renderApp('/users');

    expect(await screen.findByRole('region', { name: 'Acesso restrito' })).toBeVisible();
    const nav = screen.getByRole('navigation', { name: 'Navegação principal' });
    expect(within(nav).queryByRole('link', { name: 'Usuários' })).not.toBeInTheDocument();
  });

  it('shows an error with a retry when the session check fails for another reason', async () => {
    mockFetch({
      'GET /api/auth/me': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    renderApp('/');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Não foi possível falar com o servidor',
    );
    expect(screen.getByRole('button', { name: 'Tentar novamente' })).toBeVisible();
  });

  it('sends the person to login when any request answers 401 (expired session)', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(createUser()) });
    const { router, queryClient } = renderApp('/messages');
    await screen.findByRole('heading', { level: 1, name: 'Mensagens' });

    // Another query failing with 401, e.g. the session expired while on the page.
    mockFetch({ 'GET /api/messages': unauthorized, 'GET /api/auth/me': unauthorized });
    await queryClient
      .query({
        queryKey: ['messages'],
        queryFn: async () => {
          const { client } = await import('@/api/generated/client.gen');
          return client.get({ url: '/api/messages', throwOnError: true });
        },
      })
      .catch(() => undefined);

    await screen.findByRole('heading', { name: 'Entrar' });
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe('?next=%2Fmessages&reason=session-ended');
    // The login page says why it is shown (e.g. "log out everywhere" on another device).
    expect(screen.getByRole('status')).toHaveTextContent('Sua sessão terminou');
  });

  it('says nothing of an ended session to a visitor who never logged in', async () => {
    mockFetch({ 'GET /api/auth/me': unauthorized, 'GET /api/messages': unauthorized });
    const { router, queryClient } = renderApp('/messages');
    // A query started with the session check (the start-up warm-up does that) gets 401 too.
    await queryClient
      .query({
        queryKey: ['early'],
        queryFn: async () => {
          const { client } = await import('@/api/generated/client.gen');
          return client.get({ url: '/api/messages', throwOnError: true });
        },
      })
      .catch(() => undefined);
    await screen.findByRole('heading', { name: 'Entrar' });
    expect(router.state.location.search).toBe('?next=%2Fmessages');
    expect(screen.queryByText(/Sua sessão terminou/)).not.toBeInTheDocument();
  });

  it('thanks the person after logging out of every device', async () => {
    mockFetch({ 'GET /api/auth/me': unauthorized });
    renderApp('/login?reason=signed-out-everywhere');
    // (The router's start-up fallback is a status too, for a moment.)
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('Você saiu de todos os dispositivos.'),
    );
  });

  it('logs out through the user menu', async () => {
    document.cookie = 'evodash_csrf=tok';
    const { requests } = mockFetch({
      'GET /api/auth/me': () => json(createUser()),
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    });
    const assign = vi.fn();
    const { origin, href } = window.location;
    vi.stubGlobal('location', { assign, origin, href });
    const { user } = renderApp('/');

    await user.click(await screen.findByRole('button', { name: /^Menu do usuário: maria/ }));
    await user.click(await screen.findByRole('button', { name: 'Sair' }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith('/login'));
    const logout = requests.find((r) => r.url.endsWith('/api/auth/logout'))!;
    expect(logout.headers.get('X-CSRF-Token')).toBe('tok');
  });
});
