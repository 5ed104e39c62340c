import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { InvoiceRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { InvoicesPage } from '../components/invoices-page';
import { parseAmount } from '../lib/filters';

function invoice(overrides: Partial<InvoiceRead> = {}): InvoiceRead {
  return {
    id: 1,
    job_id: 10,
    message_id: 100,
    instance_id: 7,
    instance_name: 'Loja Centro',
    sender_phone: '+5511987654321',
    amount: '1234.56',
    due_date: '2026-12-20',
    beneficiary: 'Energia São Paulo S.A.',
    cnpj: '12345678000195',
    pix_key: null,
    pix_txid: null,
    typeable_line: '34191.79001 01043.510047 91020.150008 1 98760000123456',
    status: 'open',
    status_by: null,
    status_at: null,
    created_at: '2026-12-01T10:00:00Z',
    duplicate: false,
    image_url: '/api/jobs/10/image',
    ...overrides,
  };
}

const page = (items: InvoiceRead[]) => ({
  items,
  total: items.length,
  page: 1,
  page_size: 25,
  amount_total: '1334.56',
  per_month: [{ month: '2026-12', count: items.length, amount: '1334.56' }],
});

const INSTANCES = {
  'GET /api/instances': () =>
    json({ items: [{ id: 7, display_name: 'Loja Centro', name: 'loja', deleted_at: null }], total: 1, page: 1, page_size: 200 }),
};

describe('InvoicesPage', () => {
  it('lists invoices with totals, flags duplicates and marks one paid (who and when)', async () => {
    let items = [invoice(), invoice({ id: 2, job_id: 11, amount: '100', duplicate: true, typeable_line: null, pix_txid: 'TX1', pix_key: 'chave@pix.com' })];
    const { requests } = mockFetch({
      ...INSTANCES,
      'GET /api/invoices': () => json(page(items)),
      'PATCH /api/invoices/1': async (request) => {
        const body = (await request.json()) as { status: 'paid' };
        items = [invoice({ status: body.status, status_by: 'maria', status_at: '2026-12-02T13:00:00Z' }), items[1]];
        return json(items[0]);
      },
    });
    const { user } = renderWithProviders(<InvoicesPage canOperate />);

    const rows = await screen.findAllByTestId('invoice-row');
    expect(rows[0]).toHaveTextContent('20/12/2026');
    expect(rows[0]).toHaveTextContent('R$ 1.234,56');
    expect(rows[0]).toHaveTextContent('12.345.678/0001-95');
    expect(rows[0]).toHaveTextContent('+55 11 98765-4321');
    expect(within(rows[0]).queryByText('Duplicada')).not.toBeInTheDocument();
    expect(within(rows[1]).getByText('Duplicada')).toBeVisible();
    expect(screen.getByTestId('invoice-totals')).toHaveTextContent('R$ 1.334,56 (2 faturas)');
    expect(within(screen.getByTestId('invoice-months')).getAllByRole('row')[1]).toHaveTextContent('R$ 1.334,56');

    // The status changes are in the row's menu.
    await user.click(within(rows[0]).getByRole('button', { name: 'Ações da fatura 1' }));
    await user.click(within(rows[0]).getByRole('button', { name: 'Marcar a fatura 1 como paga' }));
    expect(await screen.findByText('Fatura 1: Paga.')).toBeVisible();
    await waitFor(() => expect(screen.getAllByTestId('invoice-status-by')[0]).toHaveTextContent(/Paga por maria em/));
    await user.click(within(screen.getAllByTestId('invoice-row')[0]).getByRole('button', { name: 'Ações da fatura 1' }));
    expect(screen.getByRole('button', { name: 'Reabrir a fatura 1' })).toBeVisible();
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(await patch?.clone().json()).toEqual({ status: 'paid' });
    // The CSV link carries the filters and the separator.
    expect(screen.getByRole('link', { name: /Exportar CSV/ }).getAttribute('href')).toBe('/api/invoices?format=csv&sep=%3B');
  });

  it("keeps each row's actions in a menu: status changes, where it came from, the codes to copy", async () => {
    mockFetch({
      ...INSTANCES,
      'GET /api/invoices': () =>
        json(page([invoice({ pix_key: 'chave@pix.com', pix_txid: 'TX1', duplicate: true }), invoice({ id: 2, job_id: 11, message_id: null, typeable_line: null })])),
    });
    const { user } = renderWithProviders(<InvoicesPage canOperate />);
    const [first, second] = await screen.findAllByTestId('invoice-row');

    // Nothing but the menu's button until it opens: the row stays narrow.
    expect(within(first).getAllByRole('button')).toHaveLength(1);
    expect(within(first).queryByRole('link')).not.toBeInTheDocument();
    // The whole code is on hover; the table shows it cut short.
    expect(within(first).getByTitle('34191.79001 01043.510047 91020.150008 1 98760000123456')).toHaveClass('text-truncate');
    // The instance: under the sender, in a column of its own only on the widest screens.
    expect(screen.getByRole('columnheader', { name: 'Instância' })).toHaveClass('d-none', 'd-xxl-table-cell');

    const toggle = within(first).getByRole('button', { name: 'Ações da fatura 1' });
    expect(toggle).toHaveTextContent(/^Ações$/);
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(within(first).getByRole('button', { name: 'Marcar a fatura 1 como paga' })).toBeVisible();
    expect(within(first).getByRole('button', { name: 'Ignorar a fatura 1' })).toBeVisible();
    expect(within(first).getByRole('link', { name: 'Abrir a mensagem da fatura 1' })).toHaveAttribute('href', '/messages/100');
    expect(within(first).getByRole('link', { name: 'Abrir o job da fatura 1' })).toHaveAttribute('href', '/jobs/10');
    expect(within(first).getByRole('link', { name: 'Abrir a imagem da fatura 1' })).toHaveAttribute('href', '/api/jobs/10/image');

    // user-event puts a fake clipboard on navigator.
    await user.click(within(first).getByRole('button', { name: 'Copiar a linha digitável' }));
    expect(await screen.findByText('Linha digitável da fatura 1 copiada.')).toBeVisible();
    expect(await navigator.clipboard.readText()).toBe('34191.79001 01043.510047 91020.150008 1 98760000123456');
    await user.click(toggle);
    await user.click(within(first).getByRole('button', { name: 'Copiar o txid PIX' }));
    expect(await navigator.clipboard.readText()).toBe('TX1');

    // Only what the row has: no message, no boleto line, no PIX.
    await user.click(within(second).getByRole('button', { name: 'Ações da fatura 2' }));
    expect(within(second).queryByRole('link', { name: /mensagem/ })).not.toBeInTheDocument();
    expect(within(second).queryByRole('button', { name: /^Copiar/ })).not.toBeInTheDocument();
    expect(within(second).getByRole('link', { name: 'Abrir o job da fatura 2' })).toHaveAttribute('href', '/jobs/11');
  });

  it('shows a viewer where an invoice came from, without the status changes', async () => {
    mockFetch({ ...INSTANCES, 'GET /api/invoices': () => json(page([invoice()])) });
    const { user } = renderWithProviders(<InvoicesPage canOperate={false} />);
    const [row] = await screen.findAllByTestId('invoice-row');
    await user.click(within(row).getByRole('button', { name: 'Ações da fatura 1' }));
    expect(within(row).getByRole('link', { name: 'Abrir a mensagem da fatura 1' })).toBeVisible();
    expect(within(row).getByRole('button', { name: 'Copiar a linha digitável' })).toBeVisible();
    expect(within(row).queryByRole('button', { name: /Marcar a fatura|Ignorar a fatura/ })).not.toBeInTheDocument();
  });

  it('sends the filters (amounts typed the Brazilian way) and refuses an amount it cannot read', async () => {
    const { requests } = mockFetch({ ...INSTANCES, 'GET /api/invoices': () => json(page([])) });
    const { user } = renderWithProviders(<InvoicesPage canOperate={false} />);
    expect(await screen.findByText('Nenhuma fatura com estes filtros.')).toBeVisible();

    await user.type(screen.getByLabelText('Valor mínimo (R$)'), '1.234,56');
    await user.type(screen.getByLabelText('Remetente'), '11 98765-4321');
    await user.type(screen.getByLabelText('Vencimento de'), '2026-12-01');
    await user.click(screen.getByRole('button', { name: 'Filtrar' }));
    await waitFor(() => {
      const last = new URL(requests.filter((r) => r.url.includes('/api/invoices')).at(-1)?.url ?? '');
      expect(Object.fromEntries(last.searchParams)).toMatchObject({
        amount_min: '1234.56',
        sender: '11 98765-4321',
        due_from: '2026-12-01',
      });
    });
    expect(screen.getByRole('link', { name: /Exportar CSV/ }).getAttribute('href')).toContain('amount_min=1234.56');

    const count = requests.length;
    await user.type(screen.getByLabelText('Valor máximo (R$)'), 'dez reais');
    await user.click(screen.getByRole('button', { name: 'Filtrar' }));
    expect(await screen.findByText('Digite um valor como 1.234,56.')).toBeVisible();
    expect(requests).toHaveLength(count);
    expect(screen.queryByRole('button', { name: /Marcar a fatura/ })).not.toBeInTheDocument();
  }, 15_000);

  it('reads amounts as people type them', () => {
    expect(parseAmount('R$ 1.234,56')).toBe(1234.56);
    expect(parseAmount('1234.5')).toBe(1234.5);
    expect(parseAmount('10')).toBe(10);
    expect(parseAmount('1,2,3')).toBeNull();
    expect(parseAmount('-5')).toBeNull();
    expect(parseAmount('9999999999999')).toBeNull();
  });
});
