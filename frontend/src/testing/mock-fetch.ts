import { vi } from 'vitest';

export type Handler = (request: Request) => Response | Promise<Response>;

/** A JSON response, like the backend's. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/json');
  return new Response(JSON.stringify(body), { status: 200, ...init, headers });
}

/**
 * Replaces global fetch with routes keyed "METHOD /path". Unmatched requests fail the test
 * loudly (501), so a forgotten handler is obvious. Returns the requests seen.
 */
export function mockFetch(routes: Partial<Record<string, Handler>>) {
  const requests: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request);
    const key = `${request.method} ${new URL(request.url).pathname}`;
    const handler = routes[key];
    if (!handler) return json({ error: 'no_handler', detail: `No mock for ${key}` }, { status: 501 });
    return handler(request.clone());
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, requests };
}
