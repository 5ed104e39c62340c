import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { ApiKeyRead, SessionRead, TeamRead } from '@/api/generated/types.gen';
import { makeInstance } from '@/features/instances/__tests__/factories';
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
  can_create_keys: false,
  read_only: false,
  operations: [],
  instance_ids: [],
  team_ids: [],
  ...overrides,
});

const instances = [
  makeInstance({ id: 7, display_name: 'Loja Centro', name: 'loja-centro' }),
  makeInstance({ id: 8, display_name: 'Loja Norte', name: 'loja-norte' }),
];
const teams: TeamRead[] = [
  {
    id: 3,
    name: 'Carteira Sul',
    description: '',
    created_at: '2026-05-01T12:00:00Z',
    user_ids: [],
    server_ids: [1],
    instance_ids: [],
  },
];

const session = (overrides: Partial<SessionRead> = {}): SessionRead => ({
  id: 's1',
  kind: 'session',
  created_at: '2026-05-01T12:00:00Z',
  expires_at: '2026-05-02T00:00:00Z',
  ip_address: '203.0.113.7',
  user_agent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
  current: true,
  ...overrides,
});

function setup({
  role = 'viewer',
  keys = [key()],
}: { role?: 'admin' | 'viewer'; keys?: ApiKeyRead[] } = {}) {
  const sessions: SessionRead[] = [
    session(),
    session({
      id: 's2',
      current: false,
      ip_address: '198.51.100.4',
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1',
    }),
    session({ id: 's3', kind: 'bearer', current: false, user_agent: null }),
  ];
  const fetch = mockFetch({
    'GET /api/auth/sessions': () => json(sessions),
    'DELETE /api/auth/sessions/s2': () => {
      sessions.splice(1, 1);
      return new Response(null, { status: 204 });
    },
    'POST /api/auth/logout-everywhere': () => json({ ended: 3 }),
    'GET /api/auth/me': () => json(createUser({ role, username: 'ana' })),
    'GET /api/instances': (request) => {
      const search = (new URL(request.url).searchParams.get('search') ?? '').toLowerCase();
      const items = instances.filter((item) => item.display_name.toLowerCase().includes(search));
      return json({ items, total: items.length, page: 1, page_size: 20 });
    },
    'GET /api/instances/7': () => json(instances[0]),
    'GET /api/instances/8': () => json(instances[1]),
    'GET /api/instances/99': () =>
      json({ error: 'instance_not_found', detail: 'No such instance.' }, { status: 404 }),
    'GET /api/teams': () =>
      json({ items: teams, total: teams.length, page: 1, page_size: 200 }),
    'GET /api/auth/api-keys': () => json(keys),
    'POST /api/auth/api-keys': async (request) => {
      const body = (await request.json()) as Partial<ApiKeyRead> & { name: string };
      const created = key({
        id: 2,
        name: body.name,
        prefix: 'evk_newkey12',
        can_create_keys: body.can_create_keys ?? false,
        read_only: body.read_only ?? false,
        operations: body.operations ?? [],
        instance_ids: body.instance_ids ?? [],
        team_ids: body.team_ids ?? [],
      });
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
      revoke_api_keys: false,
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

  it('can revoke the API keys along with the password change', async () => {
    const { user, requests } = setup();
    await user.type(await screen.findByLabelText('Senha atual'), 'velha-senha');
    await user.type(screen.getByLabelText('Nova senha'), 'nova-senha-123');
    await user.type(screen.getByLabelText('Repita a nova senha'), 'nova-senha-123');
    await user.click(screen.getByLabelText('Revogar também as minhas chaves de API'));
    await user.click(screen.getByRole('button', { name: 'Trocar a senha' }));
    expect(await screen.findByText(/Senha trocada/)).toBeVisible();
    const change = requests.find((r) => r.url.endsWith('/api/auth/me/password'));
    expect(await change!.json()).toMatchObject({ revoke_api_keys: true });
  });

  it('creates a key that may create other keys only when asked', async () => {
    const { user, requests } = setup();
    await screen.findByText('evk_abcdefgh…');
    expect(screen.getByLabelText('Pode criar outras chaves')).not.toBeChecked();
    await user.type(screen.getByLabelText('Nome da chave'), 'Orquestrador');
    await user.click(screen.getByLabelText('Pode criar outras chaves'));
    await user.click(screen.getByRole('button', { name: 'Criar chave' }));
    const dialog = await screen.findByRole('dialog', { name: 'Chave “Orquestrador” criada' });
    await user.click(within(dialog).getByRole('button', { name: 'Concluído' }));
    const create = requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/api/auth/api-keys'),
    );
    expect(await create!.json()).toMatchObject({ name: 'Orquestrador', can_create_keys: true });
    const row = (await screen.findByText('Orquestrador')).closest('tr')!;
    expect(within(row).getByText('cria chaves')).toBeVisible();
  });

  it('creates a key limited to reads, some operations and an instance', async () => {
    const { user, requests } = setup();
    await screen.findByText('evk_abcdefgh…');
    // No limits unless asked: the options stay out of the way.
    expect(screen.queryByLabelText('Só leitura')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Nome da chave'), 'CRM da loja');
    await user.click(screen.getByLabelText('Limitar esta chave'));

    await user.click(screen.getByLabelText(/^Enviar mensagens/));
    await user.click(screen.getByLabelText(/^Ler mensagens/));
    // Read-only: the write operations are unticked and locked.
    await user.click(screen.getByLabelText('Só leitura'));
    expect(screen.getByLabelText(/^Enviar mensagens/)).not.toBeChecked();
    expect(screen.getByLabelText(/^Enviar mensagens/)).toBeDisabled();
    expect(screen.getByLabelText(/^Gerenciar instâncias/)).toBeDisabled();
    expect(screen.getByLabelText(/^Ler mensagens/)).toBeChecked();
    expect(screen.getByLabelText(/^Ler mensagens/)).toHaveAccessibleDescription(
      'Mensagens, jobs, faturas e principais remetentes.',
    );

    const picker = screen.getByRole('group', { name: 'Instâncias' });
    await user.type(within(picker).getByLabelText('Buscar: Instâncias'), 'norte');
    await waitFor(() =>
      expect(within(picker).queryByLabelText(/Loja Centro/)).not.toBeInTheDocument(),
    );
    await user.click(within(picker).getByLabelText(/Loja Norte/));
    // Teams are for admins.
    expect(screen.queryByRole('group', { name: 'Times' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Criar chave' }));
    const dialog = await screen.findByRole('dialog', { name: 'Chave “CRM da loja” criada' });
    await user.click(within(dialog).getByRole('button', { name: 'Concluído' }));
    const create = requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/api/auth/api-keys'),
    );
    expect(await create!.json()).toEqual({
      name: 'CRM da loja',
      expires_at: null,
      can_create_keys: false,
      read_only: true,
      operations: ['read_messages'],
      instance_ids: [8],
      team_ids: [],
    });
    // The form starts over, limits closed.
    expect(screen.getByLabelText('Nome da chave')).toHaveValue('');
    expect(screen.getByLabelText('Limitar esta chave')).not.toBeChecked();

    const row = (await screen.findByText('CRM da loja')).closest('tr')!;
    const limits = within(row).getAllByRole('list', { name: 'Limites' })[0];
    expect(limits).toHaveTextContent('só leitura');
    expect(limits).toHaveTextContent('Ler mensagens');
    expect(await within(limits).findByText('instância: Loja Norte')).toBeVisible();
  });

  it('sends no limits when the limits were opened and closed again', async () => {
    const { user, requests } = setup();
    await screen.findByText('evk_abcdefgh…');
    await user.type(screen.getByLabelText('Nome da chave'), 'Tudo');
    await user.click(screen.getByLabelText('Limitar esta chave'));
    await user.click(screen.getByLabelText('Só leitura'));
    await user.click(screen.getByLabelText('Limitar esta chave'));
    await user.click(screen.getByRole('button', { name: 'Criar chave' }));
    await screen.findByRole('dialog', { name: 'Chave “Tudo” criada' });
    const create = requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/api/auth/api-keys'),
    );
    expect(await create!.json()).toEqual({
      name: 'Tudo',
      expires_at: null,
      can_create_keys: false,
    });
  });

  it('lets admins limit a key to teams, and names each key\'s limits', async () => {
    const { user, requests } = setup({
      role: 'admin',
      keys: [
        key(),
        key({ id: 5, name: 'Suporte', instance_ids: [7, 8], team_ids: [3], operations: ['send_messages'] }),
        key({ id: 6, name: 'Antiga', instance_ids: [99], revoked_at: '2026-05-20T12:00:00Z' }),
      ],
    });
    const table = await screen.findByRole('table', { name: 'Suas chaves de API' });
    const plain = within(table).getByText('ERP').closest('tr')!;
    expect(within(plain).getAllByText('Sem limites')[0]).toBeVisible();
    const limited = within(table).getByText('Suporte').closest('tr')!;
    const badges = within(limited).getAllByRole('list', { name: 'Limites' })[0];
    expect(badges).toHaveTextContent('Enviar mensagens');
    expect(await within(badges).findByText('2 instâncias: Loja Centro, Loja Norte')).toBeVisible();
    expect(await within(badges).findByText('time: Carteira Sul')).toBeVisible();
    // A revoked key's instance that was deleted since.
    const old = within(table).getByText('Antiga').closest('tr')!;
    expect(
      await within(old).findAllByText('instância: #99 (não existe mais)'),
    ).not.toHaveLength(0);

    await user.type(screen.getByLabelText('Nome da chave'), 'Agência');
    await user.click(screen.getByLabelText('Limitar esta chave'));
    const picker = screen.getByRole('group', { name: 'Times' });
    await user.click(await within(picker).findByLabelText(/Carteira Sul/));
    await user.click(screen.getByRole('button', { name: 'Criar chave' }));
    await screen.findByRole('dialog', { name: 'Chave “Agência” criada' });
    const create = requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/api/auth/api-keys'),
    );
    expect(await create!.json()).toMatchObject({ team_ids: [3], instance_ids: [], operations: [] });
  });

  it('lists where I am logged in and ends another session', async () => {
    const { user, requests } = setup();
    const table = await screen.findByRole('table', { name: 'Suas sessões' });
    const rows = within(table).getAllByTestId('session-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Chrome · Linux');
    expect(rows[0]).toHaveTextContent('Esta sessão');
    expect(within(rows[0]).queryByRole('button')).not.toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('Token de API');

    await user.click(screen.getByRole('button', { name: 'Encerrar a sessão Safari · iOS' }));
    await waitFor(() => expect(within(table).getAllByTestId('session-row')).toHaveLength(2));
    expect(requests.some((r) => r.method === 'DELETE' && r.url.endsWith('/sessions/s2'))).toBe(
      true,
    );
  });

  it('logs out of every device, API keys too when asked, then goes to the login page', async () => {
    const assign = vi.fn();
    const { origin, href } = window.location;
    vi.stubGlobal('location', { assign, origin, href });
    const { user, requests } = setup();
    await user.click(await screen.findByRole('button', { name: 'Sair de todos os dispositivos' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sair de todos os dispositivos?' });
    expect(dialog).toHaveTextContent('inclusive esta');
    await user.click(within(dialog).getByLabelText('Revogar também as minhas chaves de API'));
    await user.click(within(dialog).getByRole('button', { name: 'Sair de todos os dispositivos' }));
    await waitFor(() =>
      expect(assign).toHaveBeenCalledWith('/login?reason=signed-out-everywhere'),
    );
    const endAll = requests.find((r) => r.url.endsWith('/api/auth/logout-everywhere'));
    expect(await endAll!.json()).toEqual({ revoke_api_keys: true });
  });
});
