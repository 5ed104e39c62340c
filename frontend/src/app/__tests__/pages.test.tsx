import { screen, waitFor } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';

import { meQueryKey } from '@/features/auth/api/get-me';
import { overviewQueryKey } from '@/features/dashboard/api/get-overview';
import { createOverview } from '@/features/dashboard/components/__tests__/overview-fixture';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderApp } from '@/testing/test-utils';

import { prefetchHref } from '../pages';
import { ROUTE_HINTS, SESSION_CHECK } from '../route-hints';
import { createAppQueryClient } from '../provider';
import { createRoutes } from '../router';
import { warmUp } from '../warm-up';

const never = () => new Promise<Response>(() => undefined);
const unauthorized = () =>
  json({ error: 'not_authenticated', detail: 'Not authenticated' }, { status: 401 });
const emptyPage = () => json({ items: [], total: 0, page: 1, page_size: 20 });
const seen = (requests: Request[]) =>
  requests.map((request) => {
    const url = new URL(request.url);
    return `${url.pathname}${url.search}`;
  });

describe('each page’s code and data start at navigation', () => {
  it('the instance list is asked for with its filters beside the session check, before any render', async () => {
    const { requests } = mockFetch({
      'GET /api/auth/me': never, // the session check has not answered yet
      'GET /api/instances': emptyPage,
      'GET /api/servers': emptyPage,
    });
    const client = createAppQueryClient();
    const url = '/instances?status=open&server=2&page=3';
    warmUp(client, '/instances');
    createMemoryRouter(createRoutes(client), { initialEntries: [url] });

    await waitFor(() => expect(requests).toHaveLength(3));
    expect(seen(requests)).toEqual([
      '/api/auth/me',
      '/api/instances?page=3&page_size=20&status=open&server_id=2',
      '/api/servers?page=1&page_size=200',
    ]);
    expect(client.getQueryState(meQueryKey())?.status).toBe('pending');
  });

  it('a 401 from the page’s data leads to the login page even before the session check answers', async () => {
    mockFetch({
      'GET /api/auth/me': never,
      'GET /api/stats/overview': unauthorized,
    });
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Entrar' })).toBeVisible();
    expect(router.state.location.pathname).toBe('/login');
  });

  it('a link to a message starts the list (with its filters) and the message, once', async () => {
    const { requests } = mockFetch({
      'GET /api/messages': () => json({ items: [], next_cursor: null }),
      'GET /api/messages/7': () => json({ id: 7 }),
      'GET /api/instances': emptyPage,
    });
    const client = createAppQueryClient();
    prefetchHref(client, '/messages/7?direction=in');
    await waitFor(() => expect(requests).toHaveLength(3));
    expect(seen(requests).sort()).toEqual([
      '/api/instances?include_deleted=true&page_size=200',
      '/api/messages/7',
      '/api/messages?direction=in&limit=50',
    ]);
    // Fresh data is not asked for again when the link is hovered again.
    await waitFor(() => expect(client.isFetching()).toBe(0));
    prefetchHref(client, '/messages/7?direction=in');
    expect(requests).toHaveLength(3);
    // Other sites and unknown paths start nothing.
    prefetchHref(client, 'https://example.com/instances');
    prefetchHref(client, '/nowhere/at/all');
    expect(requests).toHaveLength(3);
  });

  it('hovering or focusing a link of the shell starts its page before the click', async () => {
    const { requests } = mockFetch({
      'GET /api/auth/me': () => json(createUser()),
      'GET /api/stats/overview': () => json(createOverview()),
      'GET /api/servers': () => json({ items: [], total: 0, page: 1, page_size: 200 }),
      'GET /api/jobs': () => json({ items: [], total: 0, page: 1, page_size: 25 }),
      'GET /api/jobs/counts': () => json({}),
      'GET /api/instances': emptyPage,
    });
    const { user, queryClient, router } = renderApp('/');
    await waitFor(() => expect(queryClient.getQueryData(overviewQueryKey())).toBeDefined());
    const servers = await screen.findByRole('link', { name: 'Servidores' });
    await user.hover(servers);
    await waitFor(() => expect(seen(requests)).toContain('/api/servers?page_size=200'));
    expect(router.state.location.pathname).toBe('/');

    screen.getByRole('link', { name: 'Jobs' }).focus();
    await waitFor(() => expect(seen(requests)).toContain('/api/jobs/counts'));
    expect(router.state.location.pathname).toBe('/');
  });
});

describe('the route hints the server puts in index.html', () => {
  it.each(ROUTE_HINTS.filter((hint) => hint.data))(
    '$path: the data announced is what the page asks for first',
    async (hint) => {
      const requests: string[] = [];
      vi.stubGlobal(
        'fetch',
        vi.fn(async (input: Request) => {
          const url = new URL(input.url);
          requests.push(`${url.pathname}${url.search}`);
          return never();
        }),
      );
      const client = createAppQueryClient();
      createMemoryRouter(createRoutes(client), { initialEntries: [hint.path] });
      await waitFor(() => expect(requests).toHaveLength(hint.data?.length ?? 0));
      expect([...requests].sort()).toEqual([...(hint.data ?? [])].sort());
    },
  );

  it('announce the session check, as warmUp asks for it, on every page but the login', async () => {
    const { requests } = mockFetch({ 'GET /api/auth/me': never });
    warmUp(createAppQueryClient(), '/instances');
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(seen(requests)).toEqual([SESSION_CHECK]);
    for (const hint of ROUTE_HINTS) {
      expect(hint.session ?? []).toEqual(hint.path === '/login' ? [] : [SESSION_CHECK]);
    }
  });

  it('name route modules that exist', () => {
    const modules = import.meta.glob('/src/app/routes/**/*.tsx');
    for (const hint of ROUTE_HINTS) {
      for (const module of hint.modules) expect(Object.keys(modules)).toContain(`/${module}`);
    }
  });
});
