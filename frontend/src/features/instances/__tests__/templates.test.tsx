import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type {
  BulkItemRead,
  BulkOperationRead,
  PreviewRead,
  TemplateRead,
} from '@/api/generated/types.gen';
import { RealtimeProvider } from '@/lib/realtime';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderWithProviders } from '@/testing/test-utils';

import { BulkDeleteDialog } from '../components/bulk-delete-dialog';
import { TemplateApplyDialog } from '../components/template-apply-dialog';
import { makeInstance } from './factories';

const TEMPLATE: TemplateRead = {
  id: 4,
  name: 'Lojas',
  description: '',
  events: ['CALL'],
  settings: { reject_call: true },
  allowed_numbers: null,
  destinations: null,
  version: 1,
  linked: 0,
  created_at: '2026-12-02T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
};

const INSTANCES = [
  makeInstance({ id: 1, display_name: 'Loja Centro', name: 'loja-centro' }),
  makeInstance({ id: 2, display_name: 'Loja Norte', name: 'loja-norte' }),
];

const PREVIEW: PreviewRead = {
  template_id: 4,
  version: 1,
  changing: 2,
  unchanged: 0,
  failed: 0,
  items: INSTANCES.map((i) => ({
    instance_id: i.id,
    name: i.display_name,
    ok: true,
    changes: {
      settings: [{ field: 'reject_call', old: false, new: true }],
      events_added: ['CALL'],
      events_removed: [],
      numbers_added: [],
      numbers_removed: [],
      destinations: [],
    },
  })),
};

function item(id: number, state: BulkItemRead['state'], detail: string | null = null): BulkItemRead {
  return {
    operation_id: 9,
    instance_id: id,
    name: id === 1 ? 'Loja Centro' : 'Loja Norte',
    state,
    attempts: state === 'pending' ? 0 : 1,
    error: state === 'failed' ? 'evolution_rejected' : null,
    detail,
    changes: state === 'ok' ? PREVIEW.items[0].changes ?? null : null,
    updated_at: null,
  };
}

function operation(items: BulkItemRead[], status: BulkOperationRead['status']): BulkOperationRead {
  const failed = items.filter((i) => i.state === 'failed').length;
  const pending = items.filter((i) => i.state === 'pending').length;
  return {
    id: 9,
    action: 'template',
    template_id: 4,
    status,
    runs: 1,
    created_at: '2026-12-02T10:00:00Z',
    started_at: null,
    finished_at: null,
    total: items.length,
    succeeded: items.length - failed - pending,
    failed,
    pending,
    items,
  };
}

describe('TemplateApplyDialog', () => {
  it('previews, applies with live progress, and retries the failed instance', async () => {
    const runs: BulkOperationRead[] = [
      operation([item(1, 'ok'), item(2, 'failed', 'Simulated fault')], 'finished'),
      operation([item(1, 'ok'), item(2, 'ok')], 'finished'),
    ];
    let releaseRun: () => void = () => undefined;
    const { requests } = mockFetch({
      'GET /api/instances': () => json({ items: INSTANCES, total: 2, page: 1, page_size: 200 }),
      'POST /api/templates/4/preview': () => json(PREVIEW),
      'POST /api/bulk-operations': () =>
        json(operation([item(1, 'pending'), item(2, 'pending')], 'pending'), { status: 201 }),
      'POST /api/bulk-operations/9/run': () =>
        new Promise((resolve) => {
          const answer = runs.shift();
          releaseRun = () => resolve(json(answer));
        }),
    });
    const { user } = renderWithProviders(
      <RealtimeProvider>
        <TemplateApplyDialog template={TEMPLATE} onHide={vi.fn()} />
      </RealtimeProvider>,
    );
    const socket = MockWebSocket.latest();
    act(() => socket.serverOpen());

    await user.click(await screen.findByLabelText('Loja Centro'));
    await user.click(screen.getByLabelText('Loja Norte'));
    await user.click(screen.getByRole('button', { name: 'Pré-visualizar (2)' }));

    const table = await screen.findByRole('table', { name: 'O que muda em cada instância' });
    expect(within(table).getAllByText('Recusar chamadas: desligado → ligado')).toHaveLength(2);
    expect(within(table).getAllByText('Eventos adicionados: CALL')).toHaveLength(2);
    const previewBody = (await requests.find((r) => r.url.endsWith('/preview'))?.json()) as unknown;
    expect(previewBody).toEqual({ instance_ids: [1, 2] });

    await user.click(screen.getByRole('button', { name: 'Aplicar a 2 instâncias' }));
    expect(await screen.findByText(/0 de 2 concluídas/)).toBeInTheDocument();
    // A result arrives live while the run goes on.
    act(() =>
      socket.serverSend({
        id: crypto.randomUUID(),
        type: 'bulk.item',
        at: new Date().toISOString(),
        data: item(1, 'ok'),
      }),
    );
    expect(await screen.findByText(/1 de 2 concluídas/)).toBeInTheDocument();
    await act(async () => {
      releaseRun();
      await Promise.resolve();
    });
    expect(await screen.findByText('Concluído: 1 com sucesso, 1 com erro.')).toBeInTheDocument();
    expect(screen.getByText('Simulated fault')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Tentar de novo a que falhou' }));
    await act(async () => {
      releaseRun();
      await Promise.resolve();
    });
    expect(await screen.findByText('Concluído: 2 com sucesso, 0 com erro.')).toBeInTheDocument();
    expect(requests.filter((r) => r.url.endsWith('/run'))).toHaveLength(2);
  });
});

describe('TemplateApplyDialog for a team', () => {
  it('previews a whole team and applies to the instances its preview listed', async () => {
    const { requests } = mockFetch({
      'GET /api/instances': () => json({ items: INSTANCES, total: 2, page: 1, page_size: 200 }),
      'GET /api/teams': () =>
        json({
          items: [{ id: 7, name: 'Padaria Central', description: '', created_at: '2026-12-02T10:00:00Z', user_ids: [], server_ids: [3], instance_ids: [] }],
          total: 1,
          page: 1,
          page_size: 200,
        }),
      'POST /api/templates/4/preview': () => json(PREVIEW),
      'POST /api/bulk-operations': () =>
        json(operation([item(1, 'pending'), item(2, 'pending')], 'pending'), { status: 201 }),
      'POST /api/bulk-operations/9/run': () =>
        json(operation([item(1, 'ok'), item(2, 'ok')], 'finished')),
    });
    const { user } = renderWithProviders(
      <RealtimeProvider>
        <TemplateApplyDialog template={TEMPLATE} onHide={vi.fn()} canChooseTeam />
      </RealtimeProvider>,
    );
    act(() => MockWebSocket.latest().serverOpen());

    const team = await screen.findByLabelText('Ou um time inteiro');
    await user.selectOptions(team, 'Padaria Central');
    // A team replaces the instance list: its members are whatever the server says.
    expect(screen.queryByLabelText('Loja Centro')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Pré-visualizar o time' }));

    const table = await screen.findByRole('table', { name: 'O que muda em cada instância' });
    expect(within(table).getAllByText('Eventos adicionados: CALL')).toHaveLength(2);
    const previewBody = (await requests.find((r) => r.url.endsWith('/preview'))?.json()) as unknown;
    expect(previewBody).toEqual({ team_id: 7 });

    await user.click(screen.getByRole('button', { name: 'Aplicar a 2 instâncias' }));
    expect(await screen.findByText('Concluído: 2 com sucesso, 0 com erro.')).toBeInTheDocument();
    const created = (await requests
      .find((r) => r.url.endsWith('/api/bulk-operations'))
      ?.json()) as { action: string; instance_ids: number[]; template_id: number };
    expect(created).toMatchObject({ action: 'template', template_id: 4 });
    expect([...created.instance_ids].sort()).toEqual([1, 2]);
  });

  it('offers no team to those who cannot list them', async () => {
    mockFetch({
      'GET /api/instances': () => json({ items: INSTANCES, total: 2, page: 1, page_size: 200 }),
    });
    renderWithProviders(
      <RealtimeProvider>
        <TemplateApplyDialog template={TEMPLATE} onHide={vi.fn()} />
      </RealtimeProvider>,
    );
    expect(await screen.findByLabelText('Loja Centro')).toBeInTheDocument();
    expect(screen.queryByLabelText('Ou um time inteiro')).not.toBeInTheDocument();
  });
});

describe('BulkDeleteDialog', () => {
  it('deletes only once the number of instances is typed', async () => {
    const onConfirm = vi.fn();
    const { user } = renderWithProviders(
      <BulkDeleteDialog names={['A', 'B', 'C']} onConfirm={onConfirm} onHide={vi.fn()} />,
    );
    const confirm = await screen.findByRole('button', { name: 'Excluir 3 instâncias' });
    expect(confirm).toBeDisabled();
    const input = screen.getByLabelText('Para confirmar, digite o número de instâncias (3)');
    await user.type(input, '2');
    expect(confirm).toBeDisabled();
    expect(screen.getByText('Digite 3 para confirmar.')).toBeInTheDocument();
    await user.clear(input);
    await user.type(input, '3');
    expect(confirm).toBeEnabled();
    await user.click(screen.getByLabelText('Manter as mensagens e o histórico de conexão'));
    await user.click(confirm);
    expect(onConfirm).toHaveBeenCalledWith('3', false);
  });
});
