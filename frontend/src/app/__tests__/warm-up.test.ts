import { waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { meQueryKey } from '@/features/auth/api/get-me';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';

import { createAppQueryClient } from '../provider';
import { warmUp } from '../warm-up';

const paths = (requests: Request[]) => requests.map((r) => new URL(r.url).pathname).sort();

describe('warmUp', () => {
  it('asks for the session at once (the page’s own requests are the router’s)', async () => {
    const user = createUser();
    const { requests } = mockFetch({ 'GET /api/auth/me': () => json(user) });
    const client = createAppQueryClient();
    warmUp(client, '/');
    await waitFor(() => expect(client.getQueryData(meQueryKey())).toEqual(user));
    expect(paths(requests)).toEqual(['/api/auth/me']);
  });

  it('without a session, leaves the user unknown (the login page follows)', async () => {
    const unauthorized = () =>
      json({ error: 'not_authenticated', detail: 'Not authenticated' }, { status: 401 });
    mockFetch({ 'GET /api/auth/me': unauthorized });
    const client = createAppQueryClient();
    warmUp(client, '/instances');
    await waitFor(() => expect(client.getQueryState(meQueryKey())?.status).toBe('success'));
    expect(client.getQueryData(meQueryKey())).toBeNull();
  });
});
