import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { TeamRead, UserRead } from '@/api/generated/types.gen';
import { makeInstance, makeServer } from '@/features/instances/__tests__/factories';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderApp } from '@/testing/test-utils';

const admin = createUser({ id: 1, username: 'maria', role: 'admin' });
const people: UserRead[] = [
  admin,
  createUser({ id: 2, username: 'joana', role: 'operator', email: 'joana@example.com' }),
  createUser({ id: 3, username: 'pedro', role: 'viewer', email: null }),
];
const servers = [
  makeServer({ id: 1, name: 'Evolution principal' }),
  makeServer({ id: 2, name: 'Evolution reserva', base_url: 'http://reserva.example.com' }),
];
const instances = [
  makeInstance({ id: 7, display_name: 'Loja Centro', name: 'loja-centro' }),
  makeInstance({ id: 8, display_name: 'Loja Norte', name: 'loja-norte', phone_number: '+5511900000008' }),
  makeInstance({ id: 9, display_name: 'Suporte', name: 'suporte' }),
];

const team = (overrides: Partial<TeamRead> = {}): TeamRead => ({
  id: 4,
  name: 'Clientes do Centro',
  description: 'Agência, carteira centro',
  created_at: '2026-05-01T12:00:00Z',
  user_ids: [2],
  server_ids: [],
  instance_ids: [7, 8],
  ...overrides,
});

function page<T>(items: T[], total = items.length) {
  return { items, total, page: 1, page_size: 25 };
}

function setup({ teams = [team()] }: { teams?: TeamRead[] } = {}) {
  const list = [...teams];
  const fetch = mockFetch({
    'GET /api/auth/me': () => json(admin),
    'GET /api/teams': () => json(page(list)),
    'POST /api/teams': async (request) => {
      const body = (await request.json()) as TeamRead;
      if (list.some((item) => item.name === body.name)) {
        return json(
          { error: 'team_name_taken', detail: 'A team with this name already exists.' },
          { status: 409 },
        );
      }
      const created = team({ ...body, id: 5 });
      list.push(created);
      return json(created, { status: 201 });
    },
    'PATCH /api/teams/4': async (request) => {
      const body = (await request.json()) as Partial<TeamRead>;
      list[0] = { ...list[0], ...body };
      return json(list[0]);
    },
    'DELETE /api/teams/4': () => {
      list.splice(0, 1);
      return new Response(null, { status: 204 });
    },
    'GET /api/users': (request) => {
      const search = new URL(request.url).searchParams.get('search') ?? '';
      return json(page(people.filter((user) => user.username.includes(search))));
    },
    'GET /api/users/2': () => json(people[1]),
    'GET /api/servers': () => json(page(servers)),
    'GET /api/instances': (request) => {
      const search = (new URL(request.url).searchParams.get('search') ?? '').toLowerCase();
      return json(
        page(instances.filter((item) => item.display_name.toLowerCase().includes(search))),
      );
    },
    'GET /api/instances/7': () => json(instances[0]),
    'GET /api/instances/8': () => json(instances[1]),
  });
  return { ...renderApp('/users?tab=teams'), ...fetch };
}

describe('Usuários › Times', { timeout: 30_000 }, () => {
  it('lists the teams with how many members, servers and instances each holds', async () => {
    setup();
    expect(await screen.findByRole('link', { name: 'Times' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    const table = await screen.findByRole('table', { name: 'Lista de times' });
    const row = within(table).getByTestId('team-row');
    expect(row).toHaveTextContent('Clientes do Centro');
    expect(row).toHaveTextContent('Agência, carteira centro');
    // Counts in their columns, and the phone's one-line summary.
    expect(row).toHaveTextContent('1 membro · nenhum servidor · 2 instâncias');
    const cells = within(row).getAllByRole('cell');
    expect(cells.slice(1, 4).map((cell) => cell.textContent)).toEqual(['1', '0', '2']);
  });

  it('explains that teams are opt-in when there are none', async () => {
    setup({ teams: [] });
    expect(await screen.findByRole('region', { name: 'Nenhum time' })).toHaveTextContent(
      'Sem times, todos os usuários veem todas as instâncias.',
    );
  });

  it('creates a team with members, servers and instances picked through searches', async () => {
    const { user, requests } = setup();
    await user.click(await screen.findByRole('button', { name: 'Novo time' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo time' });

    // Nothing typed: the form says what is wrong and asks nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Criar time' }));
    expect(await within(dialog).findByText('Dê um nome ao time (até 100 caracteres).')).toBeVisible();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(within(dialog).getByLabelText('Nome'), 'Loja Norte');
    await user.type(within(dialog).getByLabelText('Descrição (opcional)'), 'Cliente novo');

    const members = within(dialog).getByRole('group', { name: 'Membros' });
    await user.type(within(members).getByLabelText('Buscar: Membros'), 'jo');
    const results = within(members).getByRole('group', { name: 'Membros: resultados da busca' });
    await waitFor(() => expect(within(results).queryByLabelText(/pedro/)).not.toBeInTheDocument());
    await user.click(within(results).getByLabelText(/joana/));
    expect(within(members).getByRole('button', { name: 'Remover joana' })).toBeVisible();
    expect(members).toHaveTextContent('1 escolhido');
    expect(
      requests.some((r) => r.url.includes('/api/users?') && r.url.includes('search=jo')),
    ).toBe(true);

    const serversGroup = within(dialog).getByRole('group', { name: 'Servidores' });
    await user.type(within(serversGroup).getByLabelText('Buscar: Servidores'), 'reserva');
    await waitFor(() =>
      expect(within(serversGroup).queryByLabelText(/Evolution principal/)).not.toBeInTheDocument(),
    );
    await user.click(within(serversGroup).getByLabelText(/Evolution reserva/));

    const instancesGroup = within(dialog).getByRole('group', { name: 'Instâncias' });
    await user.type(within(instancesGroup).getByLabelText('Buscar: Instâncias'), 'norte');
    await user.click(await within(instancesGroup).findByLabelText(/Loja Norte/));
    // The chip keeps its name after the search moves on.
    await user.clear(within(instancesGroup).getByLabelText('Buscar: Instâncias'));
    await user.type(within(instancesGroup).getByLabelText('Buscar: Instâncias'), 'suporte');
    await within(instancesGroup).findByLabelText(/Suporte/);
    expect(within(instancesGroup).getByRole('button', { name: 'Remover Loja Norte' })).toBeVisible();

    await user.click(within(dialog).getByRole('button', { name: 'Criar time' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Time Loja Norte criado.');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const post = requests.find((r) => r.method === 'POST' && r.url.endsWith('/api/teams'));
    expect(await post!.json()).toEqual({
      name: 'Loja Norte',
      description: 'Cliente novo',
      user_ids: [2],
      server_ids: [2],
      instance_ids: [8],
    });
    expect(await screen.findAllByTestId('team-row')).toHaveLength(2);
  });

  it('shows a taken name on the field', async () => {
    const { user } = setup();
    await user.click(await screen.findByRole('button', { name: 'Novo time' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo time' });
    await user.type(within(dialog).getByLabelText('Nome'), 'Clientes do Centro');
    await user.click(within(dialog).getByRole('button', { name: 'Criar time' }));
    expect(await within(dialog).findByText('Já existe um time com esse nome.')).toBeVisible();
    expect(within(dialog).getByLabelText('Nome')).toHaveClass('is-invalid');
  });

  it('edits a team: its choices named, one removed, the lists replaced', async () => {
    const { user, requests } = setup();
    await user.click(await screen.findByRole('button', { name: 'Editar o time Clientes do Centro' }));
    const dialog = await screen.findByRole('dialog', { name: 'Editar o time Clientes do Centro' });
    expect(within(dialog).getByLabelText('Nome')).toHaveValue('Clientes do Centro');
    const instancesGroup = within(dialog).getByRole('group', { name: 'Instâncias' });
    expect(
      await within(instancesGroup).findByRole('button', { name: 'Remover Loja Centro' }),
    ).toBeVisible();
    expect(
      await within(dialog).findByRole('button', { name: 'Remover joana' }),
    ).toBeVisible();
    await user.click(within(instancesGroup).getByRole('button', { name: 'Remover Loja Norte' }));
    await user.click(within(dialog).getByRole('button', { name: 'Salvar' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Time Clientes do Centro atualizado.',
    );
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(await patch!.json()).toEqual({
      name: 'Clientes do Centro',
      description: 'Agência, carteira centro',
      user_ids: [2],
      server_ids: [],
      instance_ids: [7],
    });
    const row = await screen.findByTestId('team-row');
    await waitFor(() => expect(row).toHaveTextContent('1 instância'));
  });

  it('deletes a team after a confirmation that says its members may see more', async () => {
    const { user, requests } = setup();
    await user.click(
      await screen.findByRole('button', { name: 'Excluir o time Clientes do Centro' }),
    );
    const confirm = await screen.findByRole('dialog', { name: 'Excluir o time Clientes do Centro?' });
    expect(confirm).toHaveTextContent('passa a ver tudo');
    await user.click(within(confirm).getByRole('button', { name: 'Cancelar' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Excluir o time Clientes do Centro' }));
    const again = await screen.findByRole('dialog', { name: 'Excluir o time Clientes do Centro?' });
    await user.click(within(again).getByRole('button', { name: 'Excluir' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Time Clientes do Centro excluído.');
    expect(await screen.findByRole('region', { name: 'Nenhum time' })).toBeVisible();
  });
});
