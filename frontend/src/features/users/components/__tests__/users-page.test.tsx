import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { UserRead } from '@/api/generated/types.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderApp } from '@/testing/test-utils';

const admin = createUser({ id: 1, username: 'maria', role: 'admin' });

function setup(url = '/users', { users = [admin] as UserRead[] } = {}) {
  const list = [...users];
  const fetch = mockFetch({
    'GET /api/auth/me': () => json(admin),
    'GET /api/users': (request) => {
      const search = new URL(request.url).searchParams.get('search') ?? '';
      const items = list.filter((user) => user.username.includes(search));
      return json({ items, total: items.length, page: 1, page_size: 25 });
    },
    'POST /api/users': async (request) => {
      const body = (await request.json()) as {
        username: string;
        role: 'viewer';
        password: string | null;
      };
      if (body.username === 'maria') {
        return json(
          { error: 'username_taken', detail: 'Esse usuário já existe.' },
          { status: 409 },
        );
      }
      const user = createUser({ id: 2, username: body.username, role: body.role, email: null });
      list.push(user);
      return json({ user, password: body.password ? null : 'gerada-Xy7-kq2-LmN' }, { status: 201 });
    },
    'PATCH /api/users/2': async (request) => {
      const body = (await request.json()) as Partial<UserRead>;
      const index = list.findIndex((user) => user.id === 2);
      list[index] = { ...list[index], ...body };
      return json(list[index]);
    },
    'GET /api/audit': (request) => {
      const action = new URL(request.url).searchParams.get('action');
      const items = [
        {
          id: 1,
          user_id: 1,
          username: 'maria',
          action: 'user.created',
          object_type: 'user',
          object_id: '2',
          detail: { role: 'viewer' },
          ip_address: '127.0.0.1',
          success: true,
          message: null,
          created_at: '2026-05-27T17:03:00Z',
        },
      ].filter((entry) => !action || entry.action === action);
      return json({ items, total: items.length, page: 1, page_size: 50 });
    },
  });
  return { ...renderApp(url), ...fetch };
}

describe('Usuários', { timeout: 30_000 }, () => {
  it('creates a user and shows the generated password once, with a copy button', async () => {
    const { user, requests } = setup();
    await user.click(await screen.findByRole('button', { name: 'Novo usuário' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo usuário' });
    await user.type(within(dialog).getByLabelText('Usuário'), 'joana');
    await user.selectOptions(within(dialog).getByLabelText('Papel'), 'Operador');
    await user.click(within(dialog).getByRole('button', { name: 'Criar usuário' }));

    const done = await screen.findByRole('dialog', { name: 'Usuário joana criado' });
    expect(within(done).getByLabelText('Senha gerada')).toHaveValue('gerada-Xy7-kq2-LmN');
    expect(done).toHaveTextContent('Mostrado só esta vez');
    const post = requests.find((r) => r.method === 'POST');
    expect(await post!.json()).toEqual({
      username: 'joana',
      role: 'operator',
      email: null,
      password: null,
    });

    await user.click(within(done).getByRole('button', { name: 'Copiar: Senha gerada' }));
    expect(await navigator.clipboard.readText()).toBe('gerada-Xy7-kq2-LmN');

    await user.click(within(done).getByRole('button', { name: 'Concluído' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    // Gone for good: nowhere on the page any more.
    expect(screen.queryByDisplayValue('gerada-Xy7-kq2-LmN')).not.toBeInTheDocument();
    expect(screen.queryByText('gerada-Xy7-kq2-LmN')).not.toBeInTheDocument();
    expect(await screen.findByRole('status')).toHaveTextContent('Usuário joana criado.');
    expect(await screen.findByText('joana')).toBeVisible();

    // Opening the dialog again starts from an empty form, not the old secret.
    await user.click(screen.getByRole('button', { name: 'Novo usuário' }));
    const again = await screen.findByRole('dialog', { name: 'Novo usuário' });
    expect(within(again).getByLabelText('Usuário')).toHaveValue('');
  });

  it('does not show a password the admin typed', async () => {
    const { user } = setup();
    await user.click(await screen.findByRole('button', { name: 'Novo usuário' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo usuário' });
    await user.type(within(dialog).getByLabelText('Usuário'), 'pedro');
    await user.type(within(dialog).getByLabelText('Senha (opcional)'), 'uma senha longa');
    await user.click(within(dialog).getByRole('button', { name: 'Criar usuário' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByRole('status')).toHaveTextContent('Usuário pedro criado.');
  });

  it('validates the form before asking and shows conflicts from the API', async () => {
    const { user, requests } = setup();
    await user.click(await screen.findByRole('button', { name: 'Novo usuário' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo usuário' });
    await user.type(within(dialog).getByLabelText('Usuário'), 'a b');
    await user.type(within(dialog).getByLabelText('Senha (opcional)'), 'curta');
    await user.click(within(dialog).getByRole('button', { name: 'Criar usuário' }));
    expect(await within(dialog).findByText(/Use de 3 a 150 caracteres/)).toBeVisible();
    expect(within(dialog).getByText('A senha precisa ter pelo menos 8 caracteres.')).toBeVisible();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.clear(within(dialog).getByLabelText('Usuário'));
    await user.type(within(dialog).getByLabelText('Usuário'), 'maria');
    await user.clear(within(dialog).getByLabelText('Senha (opcional)'));
    await user.click(within(dialog).getByRole('button', { name: 'Criar usuário' }));
    expect(await within(dialog).findByText('Esse usuário já existe.')).toBeVisible();
  });

  it('deactivates a user after confirming, but never yourself', async () => {
    const joana = createUser({ id: 2, username: 'joana', role: 'viewer' });
    const { user, requests } = setup('/users', { users: [admin, joana] });
    const rows = await screen.findAllByTestId('user-row');
    await user.click(within(rows[0]).getByRole('button', { name: 'Ações para maria' }));
    expect(await within(rows[0]).findByRole('button', { name: 'Desativar' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    await user.keyboard('{Escape}');

    await user.click(within(rows[1]).getByRole('button', { name: 'Ações para joana' }));
    await user.click(await within(rows[1]).findByRole('button', { name: 'Desativar' }));
    const dialog = await screen.findByRole('dialog', { name: 'Desativar joana?' });
    await user.click(within(dialog).getByRole('button', { name: 'Desativar' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(await patch!.json()).toEqual({ is_active: false });
    await waitFor(() =>
      expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Desativado'),
    );
  });

  it('reads the audit log in its tab, filtered by action', async () => {
    const { user, requests } = setup('/users');
    await user.click(await screen.findByRole('link', { name: 'Auditoria' }));
    const row = await screen.findByTestId('audit-row');
    expect(row).toHaveTextContent('Criou usuário');
    expect(row).toHaveTextContent('maria');
    await user.selectOptions(screen.getByLabelText('Ação'), 'Entrou');
    expect(await screen.findByRole('region', { name: 'Nada registrado' })).toBeVisible();
    expect(new URL(requests.at(-1)!.url).searchParams.get('action')).toBe('auth.login');
    // The CSV has what the page shows: the same filter, `;` for Excel in pt-BR.
    const csv = screen.getByRole('link', { name: 'Baixar CSV do registro de auditoria (com o filtro)' });
    const href = new URL(csv.getAttribute('href')!, 'http://x');
    expect(href.pathname).toBe('/api/audit');
    expect(Object.fromEntries(href.searchParams)).toEqual({ format: 'csv', sep: ';', action: 'auth.login' });
    await user.selectOptions(screen.getByLabelText('Ação'), 'Apagou dados de titular (LGPD)');
    expect(new URL(requests.at(-1)!.url).searchParams.get('action')).toBe('privacy.erased');
  });

  it('is not for non-admins', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(createUser({ role: 'operator' })) });
    renderApp('/users');
    expect(await screen.findByRole('region', { name: 'Acesso restrito' })).toBeVisible();
  });
});
