import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { WebhookEventDetail, WebhookEventRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { EventLogPage } from '../components/event-log-page';

function makeEvent(overrides: Partial<WebhookEventRead> = {}): WebhookEventRead {
  return {
    id: 41,
    instance_id: 7,
    instance_name: 'loja-centro',
    event: 'messages.upsert',
    status: 'failed',
    error: 'RuntimeError: handler exploded',
    attempts: 1,
    received_at: '2026-12-02T11:00:00Z',
    processed_at: '2026-12-02T11:00:01Z',
    ...overrides,
  };
}

const ROUTES = {
  'GET /api/instances': () =>
    json({ items: [{ id: 7, display_name: 'Loja Centro', name: 'loja-centro' }], total: 1, page: 1, page_size: 200 }),
};

describe('EventLogPage', () => {
  it('shows why an event failed, its masked payload, and replays it', async () => {
    let current = makeEvent();
    const { requests } = mockFetch({
      ...ROUTES,
      'GET /api/webhooks/events': () => json({ items: [current, makeEvent({ id: 40, status: 'processed', error: null })], next_cursor: null }),
      'GET /api/webhooks/events/41': () =>
        json({ ...current, body: { event: 'messages.upsert', apikey: '****B924', data: { key: { id: 'X' } } } } satisfies WebhookEventDetail),
      'POST /api/webhooks/events/41/replay': () => {
        current = makeEvent({ status: 'processed', error: null, attempts: 2 });
        return json(current);
      },
    });
    const { user } = renderWithProviders(<EventLogPage />);

    const rows = await screen.findAllByTestId('event-row');
    expect(within(rows[0]).getByText('Falhou')).toBeVisible();
    expect(within(rows[0]).getByText('RuntimeError: handler exploded')).toBeVisible();
    expect(within(rows[0]).getByText('Loja Centro')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Ver o evento 41' }));
    const dialog = await screen.findByRole('dialog', { name: 'Evento 41' });
    expect(await within(dialog).findByTestId('event-payload')).toHaveTextContent('"apikey": "****B924"');
    expect(within(dialog).getByText(/handler exploded/)).toBeVisible();
    await user.click(within(dialog).getAllByRole('button', { name: 'Fechar' }).at(-1)!);

    await user.click(screen.getByRole('button', { name: 'Reaplicar o evento 41' }));
    expect(await screen.findByText('Evento 41 reaplicado: Processado.')).toBeVisible();
    await waitFor(() => expect(within(screen.getAllByTestId('event-row')[0]).getByText('Processado')).toBeVisible());
    expect(requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname)).toEqual([
      '/api/webhooks/events/41/replay',
    ]);
  }, 15_000);

  it('filters by status and replays the filtered selection', async () => {
    const { requests } = mockFetch({
      ...ROUTES,
      'GET /api/webhooks/events': () => json({ items: [makeEvent()], next_cursor: null }),
      'POST /api/webhooks/events/replay': () =>
        json({ matched: 3, truncated: false, outcomes: { processed: 2, failed: 1 }, failed_ids: [41] }),
    });
    const { user } = renderWithProviders(<EventLogPage />);
    await screen.findAllByTestId('event-row');

    await user.selectOptions(screen.getByLabelText('Situação'), 'failed');
    await user.selectOptions(screen.getByLabelText('Instância'), '7');
    await waitFor(() => {
      const last = requests.filter((r) => r.method === 'GET' && r.url.includes('/webhooks/events')).at(-1);
      expect(new URL(last!.url).searchParams.get('instance_id')).toBe('7');
    });
    await user.click(screen.getByRole('button', { name: 'Reaplicar os filtrados' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reaplicar os eventos filtrados?' });
    await user.click(within(dialog).getByRole('button', { name: 'Reaplicar' }));

    expect(await screen.findByText('3 eventos reaplicados (Processado: 2, Falhou: 1).')).toBeVisible();
    const post = requests.find((r) => r.method === 'POST')!;
    expect(await post.json()).toEqual({ instance_id: 7, status: 'failed' });
  }, 15_000);
});
