import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { InstanceRead } from '@/api/generated/types.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderApp } from '@/testing/test-utils';

import { makeInstance, makeServer } from './factories';

const instances: InstanceRead[] = [
  makeInstance({ id: 1, display_name: 'Loja Centro', name: 'loja-centro', status: 'open', owner_jid: '5511987654321@s.whatsapp.net' }),
  makeInstance({ id: 2, display_name: 'Suporte', name: 'suporte', status: 'close' }),
  makeInstance({ id: 3, display_name: 'Vendas', name: 'vendas', status: 'connecting' }),
];

function page(items: InstanceRead[], total = items.length) {
  return { items, total, page: 1, page_size: 20 };
}

function api(role: 'admin' | 'viewer' = 'admin', items = instances) {
  return mockFetch({
    'GET /api/auth/me': () => json(createUser({ role })),
    'GET /api/servers': () => json({ items: [makeServer()], total: 1, page: 1, page_size: 200 }),
    'GET /api/instances': () => json(page(items)),
    'GET /api/instances/webhook-events': () =>
      json([
        { name: 'MESSAGES_UPSERT', payload_name: 'messages.upsert', required: true },
        { name: 'CALL', payload_name: 'call', required: false },
      ]),
    'POST /api/instances/webhook-events': async (request) => {
      const { instance_ids, events } = (await request.json()) as {
        instance_ids: number[];
        events: string[];
      };
      return json({
        items: instance_ids.map((id) => ({
          instance_id: id,
          name: `i${String(id)}`,
          ok: id !== 1,
          events: id !== 1 ? ['MESSAGES_UPSERT', ...events] : null,
          error: id === 1 ? 'evolution_error' : null,
          detail: id === 1 ? 'Evolution refused the webhook' : null,
        })),
        succeeded: instance_ids.filter((id) => id !== 1).length,
        failed: instance_ids.includes(1) ? 1 : 0,
      });
    },
    'GET /api/instances/uptime': (request) =>
      json(
        new URL(request.url).searchParams.getAll('instance_id').map((id) => ({
          instance_id: Number(id),
          windows: [
            {
              window: '7d',
              start: '2026-11-13T12:00:00Z',
              end: '2026-11-20T12:00:00Z',
              uptime_percent: id === '1' ? 99.5 : null,
              open_seconds: 0,
              observed_seconds: 0,
              unknown_seconds: 0,
              disconnects: 1,
              reconnects: 0,
              mean_reconnect_seconds: null,
            },
          ],
        })),
      ),
    'POST /api/instances/sync': async (request) => {
      const { instance_ids } = (await request.json()) as { instance_ids: number[] };
      return json({
        items: instance_ids.map((id) => ({
          instance_id: id,
          name: `i${String(id)}`,
          ok: id !== 3,
          status: id === 2 ? 'open' : 'connecting',
          previous_status: id === 2 ? 'close' : 'connecting',
          changed: id === 2,
          error: id === 3 ? 'evolution_timeout' : null,
          detail: id === 3 ? 'Evolution did not answer in 10 s' : null,
        })),
        total: instance_ids.length,
        succeeded: instance_ids.filter((id) => id !== 3).length,
        failed: instance_ids.includes(3) ? 1 : 0,
        duration_ms: 12,
      });
    },
  });
}

// The first render imports the lazy route, which is slow on a cold, busy machine.
const findTable = () =>
  screen.findByRole('table', { name: 'Lista de instâncias' }, { timeout: 15_000 });

describe('Instâncias page', { timeout: 30_000 }, () => {
  it('lists instances with their status, number and server, and the actions', async () => {
    api();
    renderApp('/instances');

    const table = await findTable();
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Loja Centro');
    expect(rows[0]).toHaveTextContent('Conectada');
    expect(rows[0]).toHaveTextContent('+55 11 98765-4321');
    expect(rows[0]).toHaveTextContent('Evolution principal');
    // The 7-day uptime of the page's instances, asked for in one request.
    expect(await within(rows[0]).findByText('99,5%')).toBeVisible();
    expect(rows[1]).toHaveTextContent('—sem dados');
    expect(within(rows[1]).getByRole('button', { name: 'Conectar Suporte' })).toBeVisible();
    expect(within(rows[0]).getByRole('button', { name: 'Desconectar Loja Centro' })).toBeVisible();
    expect(screen.getByRole('link', { name: /Nova instância/ })).toBeVisible();
    expect(screen.getByText('3 instâncias')).toBeVisible();
  });

  it('shows the first page before the servers answer, and names the servers once they do', async () => {
    let answerServers: ((response: Response) => void) | undefined;
    const { requests } = mockFetch({
      'GET /api/auth/me': () => json(createUser({ role: 'admin' })),
      'GET /api/servers': () =>
        new Promise<Response>((resolve) => {
          answerServers = resolve;
        }),
      'GET /api/instances': () => json(page(instances)),
    });
    renderApp('/instances');

    const table = await findTable();
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Loja Centro');
    expect(rows[0]).not.toHaveTextContent('Evolution principal');
    // The server filter's list was asked for beside the instances, not before them.
    expect(requests.some((r) => r.url.includes('/api/servers'))).toBe(true);
    expect(answerServers).toBeDefined();
    act(() => answerServers?.(json({ items: [makeServer()], total: 1, page: 1, page_size: 200 })));
    await waitFor(() => expect(rows[0]).toHaveTextContent('Evolution principal'));
    expect(
      within(screen.getByLabelText('Servidor')).getByRole('option', { name: 'Evolution principal' }),
    ).toBeInTheDocument();
  });

  it('sends the filters and the search to the API and keeps them in the URL', async () => {
    const { requests } = api();
    const { user, router } = renderApp('/instances');
    await findTable();

    await user.selectOptions(screen.getByLabelText('Status'), 'open');
    await user.selectOptions(screen.getByLabelText('Servidor'), '1');
    await user.type(screen.getByLabelText('Buscar por nome ou número'), 'loja{Enter}');

    await waitFor(() => {
      const last = new URL(requests.filter((r) => r.url.includes('/api/instances?')).at(-1)!.url);
      expect(last.searchParams.get('status')).toBe('open');
      expect(last.searchParams.get('server_id')).toBe('1');
      expect(last.searchParams.get('search')).toBe('loja');
    });
    expect(router.state.location.search).toBe('?q=loja&status=open&server=1');
  });

  it('shows viewers the list without any action', async () => {
    api('viewer');
    renderApp('/instances');
    const table = await findTable();
    expect(within(table).queryByRole('button')).not.toBeInTheDocument();
    expect(within(table).queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Nova instância/ })).not.toBeInTheDocument();
    expect(screen.getByText(/acesso de leitura/)).toBeVisible();
  });

  it('runs a bulk sync with progress and one result per instance', async () => {
    api();
    const { user } = renderApp('/instances');
    const table = await findTable();

    await user.click(within(table).getByRole('checkbox', { name: 'Selecionar todas desta página' }));
    const toolbar = screen.getByRole('toolbar', { name: 'Ações em lote' });
    expect(toolbar).toHaveTextContent('3 selecionadas');
    await user.click(within(toolbar).getByRole('button', { name: /Sincronizar selecionadas/ }));

    const dialog = await screen.findByRole('dialog', { name: 'Sincronização em lote' });
    expect(await within(dialog).findByText('Concluído: 2 com sucesso, 1 com erro.')).toBeVisible();
    const results = within(dialog).getByRole('table', { name: 'Resultados' });
    expect(within(results).getByRole('row', { name: /Suporte/ })).toHaveTextContent(
      'Desconectada → Conectada',
    );
    expect(within(results).getByRole('row', { name: /Vendas/ })).toHaveTextContent(
      'Evolution did not answer in 10 s',
    );
  });

  it('restarts and disconnects the selected instances as tracked operations, with a result each', async () => {
    const created: { action: string; instance_ids: number[] }[] = [];
    const operation = (action: string, ids: number[], done: boolean) => ({
      id: 20 + created.length,
      action,
      template_id: null,
      status: done ? 'finished' : 'pending',
      runs: done ? 1 : 0,
      created_at: '2026-12-02T10:00:00Z',
      started_at: null,
      finished_at: null,
      total: ids.length,
      succeeded: done ? ids.length - 1 : 0,
      failed: done ? 1 : 0,
      pending: done ? 0 : ids.length,
      items: ids.map((id) => ({
        operation_id: 20 + created.length,
        instance_id: id,
        name: instances.find((i) => i.id === id)?.display_name ?? '',
        state: !done ? 'pending' : id === 3 ? 'failed' : 'ok',
        attempts: done ? 1 : 0,
        error: done && id === 3 ? 'evolution_rejected' : null,
        detail: done && id === 3 ? 'Evolution refused the restart' : null,
        changes: null,
        updated_at: null,
      })),
    });
    const { requests } = mockFetch({
      'GET /api/auth/me': () => json(createUser({ role: 'admin' })),
      'GET /api/servers': () => json({ items: [makeServer()], total: 1, page: 1, page_size: 200 }),
      'GET /api/instances': () => json(page(instances)),
      'POST /api/bulk-operations': async (request) => {
        const body = (await request.json()) as { action: string; instance_ids: number[] };
        created.push(body);
        return json(operation(body.action, body.instance_ids, false), { status: 201 });
      },
      'POST /api/bulk-operations/21/run': () => json(operation('restart', [1, 2, 3], true)),
      'POST /api/bulk-operations/22/run': () => json(operation('disconnect', [1, 2, 3], true)),
    });
    const { user } = renderApp('/instances');
    const table = await findTable();

    await user.click(within(table).getByRole('checkbox', { name: 'Selecionar todas desta página' }));
    const toolbar = screen.getByRole('toolbar', { name: 'Ações em lote' });
    await user.click(within(toolbar).getByRole('button', { name: /Reiniciar selecionadas/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Reinício em lote' });
    expect(await within(dialog).findByText('Concluído: 2 com sucesso, 1 com erro.')).toBeVisible();
    const results = within(dialog).getByRole('table', { name: 'Resultados' });
    expect(within(results).getByRole('row', { name: /Vendas/ })).toHaveTextContent(
      'Evolution refused the restart',
    );
    expect(within(dialog).getByRole('button', { name: 'Tentar de novo a que falhou' })).toBeVisible();
    await user.click(within(dialog).getAllByRole('button', { name: 'Fechar' }).at(-1)!);

    await user.click(within(toolbar).getByRole('button', { name: 'Mais ações' }));
    await user.click(screen.getByRole('button', { name: 'Desconectar selecionadas' }));
    expect(
      await screen.findByRole('dialog', { name: 'Desconexão em lote' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(created).toHaveLength(2));
    expect(created.map((body) => body.action)).toEqual(['restart', 'disconnect']);
    expect(created.every((body) => [...body.instance_ids].sort().join() === '1,2,3')).toBe(true);
    expect(requests.filter((r) => r.url.endsWith('/run'))).toHaveLength(2);
  });

  it('changes the subscribed events of the selected instances, with a result each', async () => {
    const { requests } = api();
    const { user } = renderApp('/instances');
    const table = await findTable();

    await user.click(within(table).getByRole('checkbox', { name: 'Selecionar todas desta página' }));
    const toolbar = screen.getByRole('toolbar', { name: 'Ações em lote' });
    await user.click(within(toolbar).getByRole('button', { name: /Eventos assinados/ }));
    const chooser = await screen.findByRole('dialog', { name: 'Eventos das instâncias selecionadas' });
    expect(await within(chooser).findByLabelText(/MESSAGES_UPSERT/)).toBeDisabled();
    await user.click(within(chooser).getByLabelText('CALL'));
    await user.click(within(chooser).getByRole('button', { name: 'Aplicar a 3 instâncias' }));

    const dialog = await screen.findByRole('dialog', { name: 'Eventos em lote' });
    expect(await within(dialog).findByText('Concluído: 2 com sucesso, 1 com erro.')).toBeVisible();
    const results = within(dialog).getByRole('table', { name: 'Resultados' });
    expect(within(results).getByRole('row', { name: /Suporte/ })).toHaveTextContent(
      '2 eventos assinados',
    );
    expect(within(results).getByRole('row', { name: /Loja Centro/ })).toHaveTextContent(
      'Evolution refused the webhook',
    );
    const post = requests.find(
      (r) => r.method === 'POST' && r.url.endsWith('/api/instances/webhook-events'),
    );
    expect(await post?.json()).toEqual({ instance_ids: [1, 2, 3], events: ['CALL'] });
  });

  it('patches a row from a realtime change, and refetches when an instance is created', async () => {
    const { requests } = api();
    renderApp('/instances');
    const table = await findTable();
    const listRequests = () => requests.filter((r) => r.url.includes('/api/instances?')).length;
    const before = listRequests();

    act(() => MockWebSocket.latest().serverOpen());
    act(() =>
      MockWebSocket.latest().serverSend({
        type: 'instance.updated',
        data: makeInstance({ id: 2, display_name: 'Suporte', name: 'suporte', status: 'open' }),
      }),
    );
    await waitFor(() =>
      expect(within(table).getByRole('row', { name: /Suporte/ })).toHaveTextContent('Conectada'),
    );
    expect(listRequests()).toBe(before);

    act(() =>
      MockWebSocket.latest().serverSend({
        type: 'instance.created',
        data: makeInstance({ id: 4, display_name: 'Nova', name: 'nova' }),
      }),
    );
    await waitFor(() => expect(listRequests()).toBeGreaterThan(before));
  });

  it('invites to create the first instance when there is none', async () => {
    api('admin', []);
    renderApp('/instances');
    const empty = await screen.findByRole(
      'region',
      { name: 'Nenhuma instância ainda' },
      { timeout: 15_000 },
    );
    expect(within(empty).getByRole('link', { name: /Nova instância/ })).toBeVisible();
  });

  it('explains a failed list readably', async () => {
    mockFetch({
      'GET /api/auth/me': () => json(createUser()),
      'GET /api/servers': () => json({ items: [], total: 0, page: 1, page_size: 200 }),
      'GET /api/instances': () =>
        json({ error: 'internal_error', detail: 'boom' }, { status: 500 }),
    });
    renderApp('/instances');
    expect(await screen.findByRole('alert', {}, { timeout: 15_000 })).toHaveTextContent(
      'Erro interno do servidor. O problema foi registrado.',
    );
    expect(screen.getByRole('button', { name: 'Tentar novamente' })).toBeVisible();
  });
});
