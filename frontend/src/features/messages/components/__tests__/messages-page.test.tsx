import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { MessageRead } from '@/api/generated/types.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderApp } from '@/testing/test-utils';

import { createInstance, createMessage, instancesPage } from './fixtures';

function setup(
  url: string,
  { pages = [[createMessage()]] as MessageRead[][], role = 'admin' as const } = {},
) {
  let served = 0;
  const fetch = mockFetch({
    'GET /api/auth/me': () => json(createUser({ role })),
    'GET /api/instances': () =>
      json(instancesPage([createInstance(), createInstance({ id: 3, display_name: 'Filial' })])),
    'GET /api/messages': (request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const index = cursor ? Number(cursor) : 0;
      served += 1;
      const items = pages[index] ?? [];
      return json({ items, next_cursor: index + 1 < pages.length ? String(index + 1) : null });
    },
  });
  const app = renderApp(url);
  const messageRequests = () =>
    fetch.requests
      .filter((request) => new URL(request.url).pathname === '/api/messages')
      .map((request) => new URL(request.url).searchParams);
  return { ...app, ...fetch, messageRequests, served: () => served };
}

beforeEach(() => {
  // jsdom does not lay out, so it has no scrolling.
  Element.prototype.scrollIntoView = vi.fn();
});

const search = (router: ReturnType<typeof setup>['router']) =>
  new URLSearchParams(router.state.location.search);

// The first test also pays for transforming the lazily loaded page.
describe('Mensagens filters ↔ URL', { timeout: 30_000 }, () => {
  it('reads the filters from the URL into the controls and the request', async () => {
    const { messageRequests } = setup(
      '/messages?instance=2&direction=in&type=image&status=blocked&q=boleto&sender=11987654321',
    );

    expect(await screen.findByRole('heading', { level: 1, name: 'Mensagens' })).toBeVisible();
    await waitFor(() => expect(screen.getByLabelText('Instância')).toHaveValue('2'));
    expect(screen.getByLabelText('Direção')).toHaveValue('in');
    expect(screen.getByLabelText('Tipo')).toHaveValue('image');
    expect(screen.getByLabelText('Permissão')).toHaveValue('blocked');
    expect(screen.getByLabelText('Buscar')).toHaveValue('boleto');
    expect(screen.getByLabelText('Número do remetente')).toHaveValue('11987654321');

    await waitFor(() => expect(messageRequests()).toHaveLength(1));
    const query = Object.fromEntries(messageRequests()[0]);
    expect(query).toEqual({
      instance_id: '2',
      direction: 'in',
      type: 'image',
      allowed: 'false',
      q: 'boleto',
      sender: '11987654321',
      limit: '50',
    });
  });

  it('writes changed filters into the URL and asks again', async () => {
    const { router, user, messageRequests } = setup('/messages');
    await screen.findByTestId('message-row');

    await user.selectOptions(screen.getByLabelText('Direção'), 'Enviada');
    await waitFor(() => expect(search(router).get('direction')).toBe('out'));
    await waitFor(() => expect(messageRequests().at(-1)?.get('direction')).toBe('out'));

    await user.selectOptions(screen.getByLabelText('Período'), 'Últimos 7 dias');
    expect(search(router).get('period')).toBe('7d');
    await waitFor(() => expect(messageRequests().at(-1)?.get('since')).toBeTruthy());
    const since = Date.parse(messageRequests().at(-1)!.get('since')!);
    expect(Math.abs(Date.now() - 7 * 24 * 3600_000 - since)).toBeLessThan(60_000);
  });

  it('debounces the search before it reaches the URL and the API', async () => {
    const { router, user, messageRequests } = setup('/messages');
    await screen.findByTestId('message-row');
    const before = messageRequests().length;

    await user.type(screen.getByLabelText('Buscar'), 'pix 123');
    // Typing did not ask the API letter by letter.
    expect(search(router).get('q')).toBeNull();
    await waitFor(() => expect(search(router).get('q')).toBe('pix 123'));
    await waitFor(() => expect(messageRequests().at(-1)?.get('q')).toBe('pix 123'));
    expect(messageRequests().length).toBe(before + 1);
  });

  it('follows the URL when it changes (back button) and clears everything', async () => {
    const { router } = setup('/messages?q=boleto&type=image');
    await screen.findByTestId('message-row');

    // On a fake clock from here: the search box's debounce is what is under test.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await act(() => router.navigate('/messages?q=pix'));
    expect(screen.getByLabelText('Buscar')).toHaveValue('pix');
    expect(screen.getByLabelText('Tipo')).toHaveValue('');

    fireEvent.click(screen.getByRole('button', { name: 'Limpar filtros' }));
    expect(router.state.location.search).toBe('');
    expect(screen.getByLabelText('Buscar')).toHaveValue('');
    // The old text is not written back once the debounce passes.
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(router.state.location.search).toBe('');
    vi.useRealTimers();
  });

  it('loads older messages with the cursor, never an offset', async () => {
    const { user, messageRequests } = setup('/messages', {
      pages: [[createMessage({ id: 2 })], [createMessage({ id: 1, text: 'Mais antiga' })]],
    });
    await screen.findByTestId('message-row');
    await user.click(screen.getByRole('button', { name: 'Carregar mais' }));
    expect(await screen.findByText('Mais antiga')).toBeVisible();
    expect(messageRequests().at(-1)?.get('cursor')).toBe('1');
    expect(messageRequests().some((params) => params.has('offset') || params.has('page'))).toBe(
      false,
    );
    expect(screen.getAllByTestId('message-row')).toHaveLength(2);
    expect(screen.getByText('Não há mensagens mais antigas.')).toBeVisible();
  });
});

describe('Mensagens list', () => {
  it('shows time, instance, sender, direction, text and the blocked badge', async () => {
    setup('/messages', {
      pages: [
        [
          createMessage({ id: 2, is_allowed: false, text: 'Quero um boleto', sender_name: 'Zé' }),
          createMessage({ id: 1, instance_id: 3, direction: 'out', from_me: true, text: 'Oi' }),
        ],
      ],
    });
    const [blocked, sent] = await screen.findAllByTestId('message-row');
    expect(blocked).toHaveTextContent('Zé');
    expect(blocked).toHaveTextContent('+55 11 98765-4321');
    expect(blocked).toHaveTextContent('Recebida');
    expect(blocked).toHaveTextContent('Loja Centro');
    expect(blocked).toHaveTextContent('Quero um boleto');
    expect(within(blocked).getByText('Bloqueada')).toBeVisible();
    expect(blocked).toHaveTextContent(/27\/05\/2026,? \d\d:03/);
    expect(sent).toHaveTextContent('Enviada');
    expect(sent).toHaveTextContent('Filial');
    expect(within(sent).queryByText('Bloqueada')).not.toBeInTheDocument();
  });

  it('explains the allow-list when there are no messages at all', async () => {
    setup('/messages', { pages: [[]] });
    const empty = await screen.findByRole('region', { name: 'Nenhuma mensagem ainda' });
    expect(empty).toHaveTextContent('marcadas como bloqueadas e não disparam nada');
    expect(empty).toHaveTextContent('Com as listas vazias, todos os números são permitidos.');
  });
});

describe('"N novas mensagens" pill', () => {
  it('counts matching live messages without moving the list, then brings them in', async () => {
    const first = createMessage({ id: 10, text: 'Primeira' });
    const pages: MessageRead[][] = [[first]];
    const { user, served } = setup('/messages?direction=in', { pages });
    await screen.findByText('Primeira');
    const socket = MockWebSocket.latest();
    act(() => socket.serverOpen());

    const arrived = createMessage({ id: 11, text: 'Chegou agora' });
    act(() => {
      socket.serverSend({ type: 'message.created', data: arrived });
      socket.serverSend({ type: 'message.created', data: arrived }); // the same one again
      socket.serverSend({
        type: 'message.created',
        data: createMessage({ id: 12, direction: 'out' }),
      });
      socket.serverSend({ type: 'message.created', data: first }); // already listed
    });

    expect(await screen.findByRole('button', { name: '1 nova mensagem' })).toBeVisible();
    expect(screen.getAllByTestId('message-row')).toHaveLength(1);
    expect(screen.queryByText('Chegou agora')).not.toBeInTheDocument();

    act(() => {
      socket.serverSend({ type: 'message.created', data: createMessage({ id: 13 }) });
    });
    expect(await screen.findByRole('button', { name: '2 novas mensagens' })).toBeVisible();

    const fetchedBefore = served();
    pages[0] = [createMessage({ id: 13 }), arrived, first];
    await user.click(screen.getByRole('button', { name: '2 novas mensagens' }));
    expect(await screen.findByText('Chegou agora')).toBeVisible();
    expect(served()).toBe(fetchedBefore + 1);
    expect(screen.getAllByTestId('message-row')).toHaveLength(3);
    expect(screen.queryByTestId('new-messages-pill')).not.toBeInTheDocument();
  });

  it('patches receipts and deletions in place', async () => {
    setup('/messages', { pages: [[createMessage({ id: 5, text: 'Vou apagar' })]] });
    await screen.findByText('Vou apagar');
    const socket = MockWebSocket.latest();
    act(() => socket.serverOpen());
    act(() =>
      socket.serverSend({
        type: 'message.updated',
        data: createMessage({ id: 5, text: 'Vou apagar', deleted_at: '2026-05-27T18:00:00Z' }),
      }),
    );
    const row = screen.getByTestId('message-row');
    await waitFor(() => expect(row).toHaveTextContent('Apagada'));
    expect(screen.queryByTestId('new-messages-pill')).not.toBeInTheDocument();
  });
});

describe('message detail drawer', { timeout: 30_000 }, () => {
  const detailRoutes = (message: MessageRead) => ({
    [`GET /api/messages/${message.id}`]: () => json(message),
    [`GET /api/messages/${message.id}/raw`]: () =>
      json({ id: message.id, raw: { key: { id: message.message_id }, pushName: 'Maria' } }),
    'GET /api/jobs': () =>
      json({
        items: [{ id: 77, message_id: message.id }],
        total: 1,
        page: 1,
        page_size: 100,
      }),
  });

  it('opens from the list, keeps the filters, links the job and shows the raw payload', async () => {
    const message = createMessage({ id: 9, message_type: 'image', text: 'Boleto de maio' });
    const { user, router } = setup('/messages?type=image', { pages: [[message]] });
    const extra = mockFetch({
      'GET /api/auth/me': () => json(createUser({ role: 'admin' })),
      'GET /api/instances': () => json(instancesPage([createInstance()])),
      'GET /api/messages': () => json({ items: [message], next_cursor: null }),
      ...detailRoutes(message),
    });

    await user.click(await screen.findByRole('link', { name: /Abrir a mensagem de Maria/ }));
    // The router moves once the drawer's code is there (its route's lazy part).
    await waitFor(() => expect(router.state.location.pathname).toBe('/messages/9'));
    expect(router.state.location.search).toBe('?type=image');

    const drawer = await screen.findByRole('dialog', { name: 'Mensagem #9' });
    expect(await within(drawer).findByText('Boleto de maio')).toBeVisible();
    expect(within(drawer).getByText('Entregue')).toBeVisible();
    expect(await within(drawer).findByRole('link', { name: 'Ver o job #77' })).toHaveAttribute(
      'href',
      '/jobs/77',
    );

    await user.click(within(drawer).getByRole('button', { name: 'Mostrar o payload bruto' }));
    expect(await within(drawer).findByText(/"pushName": "Maria"/)).toBeVisible();
    expect(extra.requests.some((r) => r.url.endsWith('/api/messages/9/raw'))).toBe(true);

    await user.click(within(drawer).getByRole('button', { name: 'Fechar' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/messages'));
    expect(router.state.location.search).toBe('?type=image');
  });

  it('hides the raw payload from non-admins', async () => {
    const message = createMessage({ id: 4 });
    mockFetch({
      'GET /api/auth/me': () => json(createUser({ role: 'viewer' })),
      'GET /api/instances': () => json(instancesPage([createInstance()])),
      'GET /api/messages': () => json({ items: [message], next_cursor: null }),
      ...detailRoutes(message),
    });
    renderApp('/messages/4');
    const drawer = await screen.findByRole('dialog', { name: 'Mensagem #4' });
    expect(await within(drawer).findByText('Olá, tudo bem?', { selector: 'p' })).toBeVisible();
    expect(within(drawer).queryByText('Payload bruto (Evolution)')).not.toBeInTheDocument();
  });
});
