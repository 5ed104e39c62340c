import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ApiKeyRead } from '@/api/generated/types.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderApp } from '@/testing/test-utils';

const key = (overrides: Partial<ApiKeyRead> = {}): ApiKeyRead => ({
  id: 1,
  name: 'ERP',
  prefix: 'evk_abcdefgh',
  created_at: '2026-05-01T12:00:00Z',
  last_used_at: null,
  expires_at: null,
  revoked_at: null,
  ...overrides,
});

function setup() {
  const keys: ApiKeyRead[] = [key()];
  const fetch = mockFetch({
    'GET /api/auth/me': () => json(createUser({ role: 'viewer', username: 'ana' })),
    'GET /api/auth/api-keys': () => json(keys),
    'POST /api/auth/api-keys': async (request) => {
      const body = (await request.json()) as { name: string };
      const created = key({ id: 2, name: body.name, prefix: 'evk_newkey12' });
      keys.push(created);
      return json({ api_key: created, key: 'evk_newkey12-the-whole-secret' }, { status: 201 });
    },
    'DELETE /api/auth/api-keys/1': () => {
      keys[0] = key({ revoked_at: '2026-05-27T12:00:00Z' });
      return json(keys[0]);
    },
    'POST /api/auth/me/password': () => new Response(null, { status: 204 }),
    'POST /api/auth/login': () =>
      json({ user: createUser(), csrf_token: 't', expires_at: '2026-01-01T13:00:00Z' }),
  });
  return { ...renderApp('/account'), ...fetch };
}

describe('Minha conta', { timeout: 30_000 }, () => {
  it('changes the password and stays logged in', async () => {
    const { user, requests } = setup();
    await user.type(await screen.findByLabelText('Senha atual'), 'velha-senha');
    await user.type(screen.getByLabelText('Nova senha'), 'nova-senha-123');
    await user.type(screen.getByLabelText('Repita a nova senha'), 'nova-senha-12');
    await user.click(screen.getByRole('button', { name: 'Trocar a senha' }));
    expect(await screen.findByText('As senhas não conferem.')).toBeVisible();

    await user.type(screen.getByLabelText('Repita a nova senha'), '3');
    await user.click(screen.getByRole('button', { name: 'Trocar a senha' }));
    expect(await screen.findByText(/Senha trocada/)).toBeVisible();
    const change = requests.find((r) => r.url.endsWith('/api/auth/me/password'));
    expect(await change!.json()).toEqual({
      current_password: 'velha-senha',
      new_password: 'nova-senha-123',
    });
    const login = requests.find((r) => r.url.endsWith('/api/auth/login'));
    expect(await login!.json()).toEqual({ username: 'ana', password: 'nova-senha-123' });
    expect(screen.queryByRole('button', { name: 'Entrar de novo' })).not.toBeInTheDocument();
  });

  it('creates an API key shown once, and revokes one', async () => {
    const { user } = setup();
    expect(await screen.findByText('evk_abcdefgh…')).toBeVisible();
    await user.type(screen.getByLabelText('Nome da chave'), 'Zapier');
    await user.click(screen.getByRole('button', { name: 'Criar chave' }));
    const dialog = await screen.findByRole('dialog', { name: 'Chave “Zapier” criada' });
    expect(within(dialog).getByLabelText('Chave de API')).toHaveValue(
      'evk_newkey12-the-whole-secret',
    );
    expect(dialog).toHaveTextContent('Mostrado só esta vez');
    await user.click(within(dialog).getByRole('button', { name: 'Concluído' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByDisplayValue('evk_newkey12-the-whole-secret')).not.toBeInTheDocument();
    expect(await screen.findByText('Zapier')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Revogar a chave ERP' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revogar a chave “ERP”?' });
    await user.click(within(confirm).getByRole('button', { name: 'Revogar' }));
    expect(await screen.findByText('Chave “ERP” revogada.')).toBeVisible();
    expect(await screen.findByText('Revogada')).toBeVisible();
  });
});
