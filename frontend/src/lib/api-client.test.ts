import { describe, expect, it } from 'vitest';

import { authLogin, authLogout, authMe } from '@/api/generated/sdk.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';

import { CSRF_HEADER } from './api-client';
import { ApiError } from './api-error';

const loginBody = { user: createUser(), csrf_token: 'tok', expires_at: '2026-01-01T13:00:00Z' };

describe('API client', () => {
  it('sends the CSRF cookie back as X-CSRF-Token on state-changing requests', async () => {
    document.cookie = 'evodash_csrf=s3cr%3Dt';
    const { requests } = mockFetch({
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
      'GET /api/auth/me': () => json(createUser()),
    });

    await authLogout({ throwOnError: true });
    await authMe({ throwOnError: true });

    expect(requests[0].method).toBe('POST');
    expect(requests[0].headers.get(CSRF_HEADER)).toBe('s3cr=t');
    expect(requests[1].method).toBe('GET');
    expect(requests[1].headers.get(CSRF_HEADER)).toBeNull();
  });

  it('adds the header for PUT, PATCH and DELETE too', async () => {
    document.cookie = 'evodash_csrf=abc';
    const { client } = await import('@/api/generated/client.gen');
    const { requests } = mockFetch({
      'PUT /api/x': () => json({}),
      'PATCH /api/x': () => json({}),
      'DELETE /api/x': () => new Response(null, { status: 204 }),
    });
    await client.put({ url: '/api/x', throwOnError: true });
    await client.patch({ url: '/api/x', throwOnError: true });
    await client.delete({ url: '/api/x', throwOnError: true });
    expect(requests.map((r) => r.headers.get(CSRF_HEADER))).toEqual(['abc', 'abc', 'abc']);
  });

  it('sends no CSRF header when there is no cookie (before login)', async () => {
    const { requests } = mockFetch({ 'POST /api/auth/login': () => json(loginBody) });
    await authLogin({ body: { username: 'maria', password: 'pw' }, throwOnError: true });
    expect(requests[0].headers.get(CSRF_HEADER)).toBeNull();
  });

  it('calls the same-origin /api with cookies and a JSON body', async () => {
    const { requests } = mockFetch({ 'POST /api/auth/login': () => json(loginBody) });
    const { data } = await authLogin({
      body: { username: 'maria', password: 'pw' },
      throwOnError: true,
    });
    expect(data.user.username).toBe('maria');
    const request = requests[0];
    expect(request.url).toBe(`${window.location.origin}/api/auth/login`);
    expect(request.credentials).toBe('include');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(await request.json()).toEqual({ username: 'maria', password: 'pw' });
  });

  it('throws an ApiError built from the error body', async () => {
    mockFetch({
      'POST /api/auth/login': () =>
        json(
          { error: 'invalid_credentials', detail: 'Invalid username or password' },
          { status: 401 },
        ),
    });
    const failure = authLogin({ body: { username: 'a', password: 'b' }, throwOnError: true });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
      message: 'Invalid username or password',
    });
  });

  it('turns a network failure into an ApiError with status 0', async () => {
    mockFetch({
      'GET /api/auth/me': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(authMe({ throwOnError: true })).rejects.toMatchObject({
      name: 'ApiError',
      status: 0,
      code: 'network_error',
    });
  });
});
