import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { ServersPage } from '../servers-page';
import { createServer, createTestResult } from './server-fixtures';

const page = (items = [createServer()]) =>
  json({ items, total: items.length, page: 1, page_size: 200 });

describe('ServersPage', { timeout: 30_000 }, () => {
  it('lists the servers with versions, reachability, last check and a masked key', async () => {
    mockFetch({
      'GET /api/servers': () =>
        page([
          createServer(),
          createServer({
            id: 2,
            name: 'Filial',
            base_url: 'https://filial.example.com',
            api_key_last4: 'abcd',
            version: null,
            whatsapp_web_version: null,
            is_reachable: false,
            last_error: 'Cannot reach the Evolution server',
            last_checked_at: null,
            instance_count: 0,
          }),
        ]),
    });
    renderWithProviders(<ServersPage canManage canTest />);

    const table = await screen.findByRole('table', { name: 'Servidores Evolution' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(first).toHaveTextContent('Principal');
    expect(first).toHaveTextContent('http://evo.example.com:8080');
    expect(first).toHaveTextContent('Acessível');
    expect(first).toHaveTextContent('há 5 min');
    expect(first).toHaveTextContent('Evolution2.3.6');
    expect(first).toHaveTextContent('WhatsApp Web2.3000.1027934701');
    expect(first).toHaveTextContent('•••• 1234');
    expect(first).toHaveTextContent('chave terminada em 1234');
    expect(second).toHaveTextContent('Inacessível');
    expect(second).toHaveTextContent('nunca');
    expect(second).toHaveTextContent('Cannot reach the Evolution server');
    expect(screen.getByRole('button', { name: 'Adicionar servidor' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Editar Principal' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Excluir Filial' })).toBeVisible();
  });

  it('is read-only for viewers and lets operators only test', async () => {
    mockFetch({ 'GET /api/servers': () => page() });
    const { unmount } = renderWithProviders(<ServersPage canManage={false} canTest={false} />);
    await screen.findByRole('table');
    expect(
      screen.getByText('Somente administradores podem adicionar, editar ou excluir servidores.'),
    ).toBeVisible();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    unmount();

    renderWithProviders(<ServersPage canManage={false} canTest />);
    await screen.findByRole('table');
    expect(screen.getByRole('button', { name: 'Testar conexão com Principal' })).toBeVisible();
    expect(screen.queryByRole('button', { name: /Editar|Excluir|Adicionar/ })).toBeNull();
  });

  it('tests a saved server from its row and shows the result', async () => {
    mockFetch({
      'GET /api/servers': () => page(),
      'POST /api/servers/1/test': () => json(createTestResult({ version: '2.3.7' })),
    });
    const { user } = renderWithProviders(<ServersPage canManage canTest />);

    await user.click(await screen.findByRole('button', { name: 'Testar conexão com Principal' }));
    const result = await screen.findByTestId('test-result');
    expect(result).toHaveTextContent('Conexão bem-sucedida');
    expect(result).toHaveTextContent('2.3.7');
    expect(screen.getByRole('heading', { name: 'Teste de conexão: Principal' })).toBeVisible();
  });

  it('guides an admin to add the first server', async () => {
    mockFetch({ 'GET /api/servers': () => page([]) });
    const { user } = renderWithProviders(<ServersPage canManage canTest />);

    const empty = await screen.findByRole('region', { name: 'Nenhum servidor cadastrado' });
    await user.click(within(empty).getByRole('button', { name: 'Adicionar servidor' }));
    expect(
      await screen.findByRole('dialog', { name: 'Adicionar servidor Evolution' }),
    ).toBeVisible();
  });

  it('adds a server through the dialog, then records its version with a check', async () => {
    const saved = createServer({ id: 7, name: 'Novo', version: null, is_reachable: null });
    let servers = [createServer()];
    const { requests } = mockFetch({
      'GET /api/servers': () => page(servers),
      'POST /api/servers': () => {
        servers = [...servers, saved];
        return json(saved, { status: 201 });
      },
      'POST /api/servers/7/test': () => json(createTestResult()),
    });
    const { user } = renderWithProviders(<ServersPage canManage canTest />);

    await user.click(await screen.findByRole('button', { name: 'Adicionar servidor' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Nome'), 'Novo');
    await user.type(within(dialog).getByLabelText('URL da Evolution API'), 'http://novo:8080');
    await user.type(within(dialog).getByLabelText('Chave global da API'), 'k');
    await user.click(within(dialog).getByRole('button', { name: 'Salvar' }));

    expect(await screen.findByText('Servidor Novo adicionado.')).toBeVisible();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await waitFor(() =>
      expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toContain(
        'POST /api/servers/7/test',
      ),
    );
  });

  it('shows an error with a retry when the list fails', async () => {
    mockFetch({
      'GET /api/servers': () => json({ error: 'internal_error', detail: 'x' }, { status: 500 }),
    });
    renderWithProviders(<ServersPage canManage canTest />);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByRole('button', { name: 'Tentar novamente' })).toBeVisible();
  });
});
