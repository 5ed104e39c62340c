import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ReconnectLinkRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { ReconnectLinksCard } from '../components/reconnect-links-card';
import { makeInstance } from './factories';

const LINKS = 'GET /api/instances/7/reconnect-links';
const CREATE = 'POST /api/instances/7/reconnect-links';
const URL_SHOWN = 'http://evodash.test/reconnect#AbCdEfGhIjKlMnOpQrStUv';

function makeLink(overrides: Partial<ReconnectLinkRead> = {}): ReconnectLinkRead {
  return {
    id: 1,
    instance_id: 7,
    created_at: '2026-12-02T11:00:00Z',
    expires_at: '2026-12-03T11:00:00Z',
    pin_protected: false,
    single_use: false,
    opened_at: null,
    used_at: null,
    revoked_at: null,
    revoked_reason: null,
    active: true,
    ...overrides,
  };
}

describe('ReconnectLinksCard', () => {
  it('lists the active links only, and revokes one', async () => {
    let links = [
      makeLink({ id: 2, single_use: true, pin_protected: true, opened_at: '2026-12-02T11:05:00Z' }),
      makeLink({ id: 1, active: false, used_at: '2026-12-02T11:10:00Z' }),
    ];
    const { requests } = mockFetch({
      [LINKS]: () => json(links),
      'DELETE /api/instances/7/reconnect-links/2': () => {
        links = links.map((link) => ({ ...link, active: false }));
        return new Response(null, { status: 204 });
      },
    });
    const { user } = renderWithProviders(<ReconnectLinksCard instance={makeInstance({ id: 7 })} />);

    const items = await screen.findAllByTestId('reconnect-link');
    expect(items).toHaveLength(1);
    expect(within(items[0]).getByText('Uso único')).toBeVisible();
    expect(within(items[0]).getByText('PIN')).toBeVisible();
    expect(within(items[0]).getByText('Aberto pelo cliente')).toBeVisible();
    expect(within(items[0]).getByText(/^Expira em 03\/12\/2026/)).toBeVisible();

    await user.click(within(items[0]).getByRole('button', { name: /^Revogar/ }));
    expect(await screen.findByText('Link revogado.')).toBeVisible();
    await waitFor(() => expect(screen.getByText('Nenhum link ativo.')).toBeVisible());
    expect(requests.some((r) => r.method === 'DELETE')).toBe(true);
  });

  it('creates a link with its options, shows it once, and sends it by WhatsApp', async () => {
    const { requests } = mockFetch({
      [LINKS]: () => json([]),
      [CREATE]: () => json({ ...makeLink({ id: 3, single_use: true, pin_protected: true }), url: URL_SHOWN }, { status: 201 }),
      'GET /api/instances': () =>
        json({
          items: [makeInstance({ id: 7, status: 'open' }), makeInstance({ id: 9, display_name: 'Suporte', status: 'open' })],
          total: 2,
          page: 1,
          page_size: 100,
        }),
      'POST /api/instances/9/messages': () => json({ id: 'X1', status: 'PENDING' }, { status: 201 }),
    });
    const { user } = renderWithProviders(
      <ReconnectLinksCard instance={makeInstance({ id: 7, display_name: 'Loja da Maria' })} />,
    );
    await user.click(await screen.findByRole('button', { name: 'Novo link' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo link de reconexão' });
    await user.selectOptions(within(dialog).getByLabelText('Validade'), '72');
    await user.click(within(dialog).getByLabelText('Uso único'));
    await user.type(within(dialog).getByLabelText('PIN (opcional)'), '12');
    await user.click(within(dialog).getByRole('button', { name: 'Criar link' }));
    expect(await within(dialog).findByText('O PIN tem de 4 a 8 dígitos.')).toBeVisible();
    await user.type(within(dialog).getByLabelText('PIN (opcional)'), '34');
    await user.click(within(dialog).getByRole('button', { name: 'Criar link' }));

    expect(await within(dialog).findByDisplayValue(URL_SHOWN)).toBeVisible();
    const created = requests.find((r) => r.method === 'POST' && r.url.endsWith('/reconnect-links'));
    expect(await created?.json()).toEqual({ expires_in_hours: 72, single_use: true, pin: '1234' });

    // Sent from another connected instance (not this one), the link in the message.
    const from = await within(dialog).findByLabelText('Enviar pela instância');
    expect(within(from).queryByRole('option', { name: 'Loja da Maria' })).not.toBeInTheDocument();
    await user.selectOptions(from, '9');
    await user.type(within(dialog).getByLabelText('Número do cliente'), '11987654321');
    expect(within(dialog).getByText(/O PIN não vai na mensagem/)).toBeVisible();
    await user.click(within(dialog).getByRole('button', { name: 'Enviar link' }));
    expect(await within(dialog).findByText(/Link enviado para/)).toBeVisible();
    const sent = requests.find((r) => r.url.endsWith('/api/instances/9/messages'));
    const body = (await sent?.json()) as { number: string; text: string };
    expect(body.number).toBe('5511987654321');
    expect(body.text).toContain(URL_SHOWN);
    expect(body.text).toContain('Loja da Maria');
  }, 20_000);
});
