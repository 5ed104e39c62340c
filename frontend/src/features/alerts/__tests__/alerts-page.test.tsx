import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { AlertRead } from '@/api/generated/types.gen';
import { pinClock } from '@/testing/clock';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { AlertBell } from '../components/alert-center';
import { AlertsPage } from '../components/alerts-page';

function makeAlert(overrides: Partial<AlertRead> = {}): AlertRead {
  return {
    id: 7,
    rule: 'down',
    subject_type: 'instance',
    subject_id: 3,
    instance_id: 3,
    subject_key: 'instance:3',
    subject_label: 'Loja Centro (loja-centro)',
    state: 'firing',
    detail: 'Status close since it left open 6 min ago',
    facts: { status: 'close' },
    started_at: '2026-12-02T11:54:00Z',
    fired_at: '2026-12-02T11:59:00Z',
    last_checked_at: '2026-12-02T12:00:00Z',
    last_notified_at: '2026-12-02T11:59:00Z',
    notifications: 1,
    resolved_at: null,
    acked_at: null,
    acked_by: null,
    silenced_until: null,
    ...overrides,
  };
}

const page = (items: AlertRead[]) => json({ items, total: items.length, page: 1, page_size: 25 });

describe('AlertsPage', () => {
  pinClock('2026-12-02T12:05:00Z'); // minutes after the alerts below

  it('lists what fires, acknowledges it, and filters the history', async () => {
    let firing = [makeAlert()];
    const history = [makeAlert(), makeAlert({ id: 6, rule: 'zombie', state: 'resolved', resolved_at: '2026-12-02T10:00:00Z' })];
    const { requests } = mockFetch({
      'GET /api/alerts': (request) => {
        const query = new URL(request.url).searchParams;
        if (query.get('state') === 'firing' && query.get('page_size') === '100') return page(firing);
        if (query.get('rule') === 'zombie') return page(history.slice(1));
        return page(history);
      },
      'POST /api/alerts/7/ack': () => {
        firing = [makeAlert({ acked_at: '2026-12-02T12:01:00Z', acked_by: 1 })];
        return json(firing[0]);
      },
    });
    const { user } = renderWithProviders(<AlertsPage userId={1} canOperate isAdmin={false} />);

    const item = await screen.findByTestId('firing-alert');
    expect(within(item).getByText('Loja Centro (loja-centro)')).toBeVisible();
    expect(within(item).getByText('Instância caiu')).toBeVisible();
    // Said in Portuguese from the facts, not the backend's English detail.
    expect(within(item).getByText(/Deixou de estar conectada há .* e está desconectada/)).toBeVisible();
    await user.click(within(item).getByRole('button', { name: 'Reconhecer o alerta 7' }));
    expect(await within(await screen.findByTestId('firing-alert')).findByText('Reconhecido')).toBeVisible();
    expect(requests.some((r) => r.method === 'POST' && r.url.endsWith('/api/alerts/7/ack'))).toBe(true);

    expect(await screen.findAllByTestId('alert-row')).toHaveLength(2);
    await user.selectOptions(screen.getByLabelText('Regra'), 'zombie');
    await waitFor(() => expect(screen.getAllByTestId('alert-row')).toHaveLength(1));
    expect(within(screen.getByTestId('alert-row')).getByText('Resolvido')).toBeVisible();
  });

  it('shows nobody the settings but admins, and viewers no actions', async () => {
    mockFetch({ 'GET /api/alerts': () => page([makeAlert()]) });
    renderWithProviders(<AlertsPage userId={2} canOperate={false} isAdmin={false} />);
    const item = await screen.findByTestId('firing-alert');
    expect(within(item).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByText('Regras')).not.toBeInTheDocument();
  });
});

describe('AlertBell', () => {
  it('shows how many firing alerts nobody acknowledged', async () => {
    mockFetch({
      'GET /api/alerts/summary': () => json({ firing: 3, unacknowledged: 2, by_rule: { down: 3 } }),
    });
    renderWithProviders(<AlertBell />);
    expect(await screen.findByTestId('alert-bell-count')).toHaveTextContent('2');
    expect(screen.getByRole('link', { name: 'Alertas: 2 sem reconhecimento' })).toHaveAttribute('href', '/alerts');
  });
});
