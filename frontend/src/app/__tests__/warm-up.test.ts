import { waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { overviewQueryKey } from '@/features/dashboard/api/get-overview';
import { createOverview } from '@/features/dashboard/components/__tests__/overview-fixture';
import { meQueryKey } from '@/features/auth/api/get-me';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';

import { createAppQueryClient } from '../provider';
import { warmUp } from '../warm-up';

const paths = (requests: Request[]) => requests.map((r) => new URL(r.url).pathname).sort();

describe('warmUp', () => {
  it('on the dashboard, asks for the session and the figures at once', async () => {
    const user = createUser();
    const { requests } = mockFetch({
      'GET /api/auth/me': () => json(user),
      'GET /api/stats/overview': () => json(createOverview()),
    });
    const client = createAppQueryClient();
    warmUp(client, '/');
    await waitFor(() => expect(client.getQueryData(overviewQueryKey())).toBeDefined());
    expect(client.getQueryData(meQueryKey())).toEqual(user);
    expect(paths(requests)).toEqual(['/api/auth/me', '/api/stats/overview']);
  });

  it('elsewhere, only the session', async () => {
    const { requests } = mockFetch({ 'GET /api/auth/me': () => json(createUser()) });
    const client = createAppQueryClient();
    warmUp(client, '/instances');
    await waitFor(() => expect(client.getQueryData(meQueryKey())).toBeDefined());
    expect(paths(requests)).toEqual(['/api/auth/me']);
  });

  it('without a session, the figures’ 401 leaves the user unknown (the login page follows)', async () => {
    const unauthorized = () =>
      json({ error: 'not_authenticated', detail: 'Not authenticated' }, { status: 401 });
    mockFetch({ 'GET /api/auth/me': unauthorized, 'GET /api/stats/overview': unauthorized });
    const client = createAppQueryClient();
    warmUp(client, '/');
    await waitFor(() => expect(client.getQueryState(overviewQueryKey())?.status).toBe('error'));
    await waitFor(() => expect(client.getQueryData(meQueryKey())).toBeNull());
  });
});
