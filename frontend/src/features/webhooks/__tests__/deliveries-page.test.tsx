import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { WebhookDeliveryRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { DeliveriesPage } from '../components/deliveries-page';

function makeDelivery(overrides: Partial<WebhookDeliveryRead> = {}): WebhookDeliveryRead {
  return {
    id: 1,
    event_id: 10,
    instance_id: 7,
    destination_id: 4,
    destination_name: 'CRM',
    url: 'https://crm.example.com/hook',
    attempt: 5,
    status: 'failed',
    http_status: 503,
    latency_ms: 120,
    error: 'HTTP 503',
    next_retry_at: null,
    created_at: '2026-12-02T11:00:00Z',
    ...overrides,
  };
}

const INSTANCES = {
  'GET /api/instances': () =>
    json({ items: [{ id: 7, display_name: 'Loja Centro', name: 'loja-centro' }], total: 1, page: 1, page_size: 200 }),
};

describe('DeliveriesPage', () => {
  it('retries the selected failed deliveries and shows them delivered', async () => {
    let listed = [
      makeDelivery({ id: 3, event_id: 12 }),
      makeDelivery({ id: 2, event_id: 11, status: 'succeeded', http_status: 200, error: null, attempt: 1 }),
      makeDelivery({ id: 1, event_id: 10 }),
    ];
    const { requests } = mockFetch({
      ...INSTANCES,
      'GET /api/webhooks/deliveries': () => json({ items: listed, next_cursor: null }),
      'POST /api/webhooks/deliveries/3/retry': () => json(makeDelivery({ id: 5, event_id: 12, status: 'pending', attempt: 6 }), { status: 202 }),
      'POST /api/webhooks/deliveries/1/retry': () => json(makeDelivery({ id: 4, event_id: 10, status: 'pending', attempt: 6 }), { status: 202 }),
    });
    const { user } = renderWithProviders(<DeliveriesPage canOperate pollIntervalMs={50} />);

    const rows = await screen.findAllByTestId('delivery-row');
    expect(within(rows[0]).getByText('https://crm.example.com/hook')).toBeVisible();
    expect(within(rows[0]).getByText('120 ms')).toBeVisible();
    expect(within(rows[0]).getByText('sem novas tentativas')).toBeVisible();
    expect(within(rows[1]).queryByRole('button', { name: /Reenviar/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Selecionar todas as que falharam' }));
    listed = [
      makeDelivery({ id: 5, event_id: 12, status: 'pending', attempt: 6, http_status: null, latency_ms: null, error: null }),
      makeDelivery({ id: 4, event_id: 10, status: 'pending', attempt: 6, http_status: null, latency_ms: null, error: null }),
      ...listed,
    ];
    await user.click(screen.getByRole('button', { name: 'Reenviar 2 selecionadas' }));
    expect(await screen.findByText('2 reenvios agendados.')).toBeVisible();
    // Pending reads on Bootstrap's cyan (text-bg-* picks the text colour; white was 1.95:1).
    const pending = await screen.findAllByText('Pendente', { selector: '.badge' });
    expect(pending).toHaveLength(2);
    for (const badge of pending) expect(badge).toHaveClass('text-bg-info');
    expect(requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname)).toEqual([
      '/api/webhooks/deliveries/3/retry',
      '/api/webhooks/deliveries/1/retry',
    ]);

    // The pending attempts run; the list, read again while they are pending, shows them delivered.
    listed = listed.map((d) => (d.status === 'pending' ? { ...d, status: 'succeeded', http_status: 200, latency_ms: 35 } : d));
    const delivered = () =>
      screen.getAllByTestId('delivery-row').filter((row) => within(row).queryByText('Entregue'));
    await waitFor(() => expect(delivered()).toHaveLength(3));
    expect(screen.queryByRole('button', { name: /^Reenviar a entrega/ })).not.toBeInTheDocument();
  }, 15_000);

  it('shows viewers the attempts without any action', async () => {
    mockFetch({ ...INSTANCES, 'GET /api/webhooks/deliveries': () => json({ items: [makeDelivery()], next_cursor: null }) });
    renderWithProviders(<DeliveriesPage canOperate={false} />);
    await screen.findAllByTestId('delivery-row');
    expect(screen.queryByRole('button', { name: /Reenviar/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });
});
