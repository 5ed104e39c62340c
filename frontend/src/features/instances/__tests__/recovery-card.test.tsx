import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { RecoveryRunRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
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
