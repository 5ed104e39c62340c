import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { RecoveryRunRead } from '@/api/generated/types.gen';
import { RealtimeProvider } from '@/lib/realtime';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderWithProviders } from '@/testing/test-utils';

import { RecoveryCard } from '../components/recovery-card';

const LIST = 'GET /api/instances/7/recoveries';
const RECOVER = 'POST /api/instances/7/recover';

function makeRun(overrides: Partial<RecoveryRunRead> = {}): RecoveryRunRead {
  return {
    id: 1,
    instance_id: 7,
    trigger: 'startup',
    status: 'succeeded',
    since: '2026-12-02T08:00:00Z',
    until: '2026-12-02T11:01:00Z',
    found: 30,
    new: 30,
    total: 30,
    pages_done: 1,
    pages_total: 1,
    error: null,
    requested_by: null,
    started_at: '2026-12-02T11:00:00Z',
    finished_at: '2026-12-02T11:00:02Z',
    ...overrides,
  };
}

describe('RecoveryCard', () => {
  it('lists the passes with what they found and what was new', async () => {
    mockFetch({
      [LIST]: () =>
        json([
          makeRun({ id: 2, trigger: 'reconnect', status: 'failed', found: 5, new: 2, error: 'HTTP 401' }),
          makeRun(),
        ]),
    });
    renderWithProviders(<RecoveryCard instanceId={7} canOperate={false} />);

    const items = await screen.findAllByTestId('recovery-run');
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText('5 encontradas, 2 novas')).toBeVisible();
    expect(within(items[0]).getByText('Falhou')).toBeVisible();
    expect(within(items[0]).getByText('HTTP 401')).toBeVisible();
    expect(within(items[1]).getByText('30 encontradas, 30 novas')).toBeVisible();
    expect(within(items[1]).getByText(/Ao iniciar/)).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Recuperar mensagens' })).not.toBeInTheDocument();
  });

  it('shows a pass the server starts and ends by itself, from its events alone', async () => {
    const { requests } = mockFetch({ [LIST]: () => json([makeRun()]) });
    renderWithProviders(
      <RealtimeProvider>
        <RecoveryCard instanceId={7} canOperate={false} />
      </RealtimeProvider>,
    );
    expect(await screen.findAllByTestId('recovery-run')).toHaveLength(1);
    const socket = MockWebSocket.latest();
    act(() => socket.serverOpen());
    const listed = requests.length;

    // The instance went back to open: the server started a pass, then another instance's.
    const started = makeRun({ id: 4, trigger: 'reconnect', status: 'running', found: 0, new: 0, pages_done: 0, pages_total: null, total: null, finished_at: null });
    act(() => socket.serverSend({ type: 'recovery.updated', data: started }));
    act(() => socket.serverSend({ type: 'recovery.updated', data: makeRun({ id: 9, instance_id: 8 }) }));
    await waitFor(() => expect(screen.getAllByTestId('recovery-run')).toHaveLength(2));
    expect(within(screen.getAllByTestId('recovery-run')[0]).getByText(/Ao reconectar/)).toBeVisible();

    act(() =>
      socket.serverSend({ type: 'recovery.updated', data: { ...started, status: 'succeeded', found: 2, new: 2, finished_at: '2026-12-02T11:05:00Z' } }),
    );
    await waitFor(() =>
      expect(within(screen.getAllByTestId('recovery-run')[0]).getByText('2 encontradas, 2 novas')).toBeVisible(),
    );
    expect(screen.getAllByTestId('recovery-run')).toHaveLength(2);
    expect(requests.length).toBe(listed);
  });

  it('reads the list again when a pass starts while the list is being read', async () => {
    const started = makeRun({ id: 4, trigger: 'reconnect', status: 'running', finished_at: null });
    let answer: (response: Response) => void = () => undefined;
    let reads = 0;
    mockFetch({
      [LIST]: () => {
        reads += 1;
        // The first read began before the pass: its answer does not have it.
        return reads === 1 ? new Promise<Response>((resolve) => (answer = resolve)) : json([started, makeRun()]);
      },
    });
    renderWithProviders(
      <RealtimeProvider>
        <RecoveryCard instanceId={7} canOperate={false} />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(reads).toBe(1));
    act(() => MockWebSocket.latest().serverOpen());
    act(() => MockWebSocket.latest().serverSend({ type: 'recovery.updated', data: started }));
    answer(json([makeRun()]));

    await waitFor(() => expect(screen.getAllByTestId('recovery-run')).toHaveLength(2));
    expect(within(screen.getAllByTestId('recovery-run')[0]).getByText(/Ao reconectar/)).toBeVisible();
    expect(reads).toBe(2);
  });

  it('starts a pass on request and shows its progress until it is done', async () => {
    let listed: RecoveryRunRead[] = [];
    const { requests } = mockFetch({
      [LIST]: () => json(listed),
      [RECOVER]: () => {
        listed = [makeRun({ id: 3, trigger: 'manual', status: 'running', found: 100, new: 40, pages_done: 2, pages_total: 4, finished_at: null })];
        return json(listed[0], { status: 202 });
      },
    });
    const { user } = renderWithProviders(<RecoveryCard instanceId={7} canOperate pollIntervalMs={50} />);
    expect(await screen.findByText('Nenhuma recuperação foi feita ainda.')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Recuperar mensagens' }));

    // Named (axe's aria-progressbar-name), and the running badge readable on cyan.
    expect(await screen.findByRole('progressbar', { name: 'Progresso da recuperação' })).toHaveAttribute(
      'aria-valuenow',
      '50',
    );
    expect(screen.getByText('Em andamento')).toHaveClass('text-bg-info');
    expect(screen.getByText('Página 2 de 4')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Recuperando…' })).toBeDisabled();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);

    listed = [makeRun({ id: 3, trigger: 'manual', found: 180, new: 60, pages_done: 4, pages_total: 4 })];
    await waitFor(() => expect(screen.getByText('180 encontradas, 60 novas')).toBeVisible());
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Recuperar mensagens' })).toBeEnabled();
  }, 15_000);
});
