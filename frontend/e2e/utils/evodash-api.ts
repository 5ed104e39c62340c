import { type APIRequestContext, type Page, test } from '@playwright/test';

/**
 * Setup and cleanup through the API, as the logged-in person in `page` (same cookies, CSRF
 * header from the `evodash_csrf` cookie), and the simulator's control API.
 */
export async function api<T = unknown>(
  page: Page,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
): Promise<T> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((cookie) => cookie.name === 'evodash_csrf')?.value ?? '';
  const response = await page.request.fetch(path, {
    method,
    data,
    headers: { 'X-CSRF-Token': csrf },
  });
  if (!response.ok()) {
    throw new Error(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
  }
  return (response.status() === 204 ? undefined : await response.json()) as T;
}

export interface ServerRow {
  id: number;
  name: string;
  base_url: string;
}

export async function listServers(page: Page): Promise<ServerRow[]> {
  const body = await api<{ items: ServerRow[] }>(page, 'GET', '/api/servers?page_size=200');
  return body.items;
}

/** The simulator `scripts/e2e.sh` starts (skips the test when it is not there). */
export function simulatorEnv() {
  const url = process.env.E2E_SIM_URL ?? '';
  const key = process.env.E2E_SIM_KEY ?? '';
  test.skip(!url || !key, 'Set E2E_SIM_URL and E2E_SIM_KEY (scripts/e2e.sh does)');
  return { url: url.replace(/\/$/, ''), key };
}

/**
 * The same simulator under another name (`localhost` instead of `127.0.0.1`): a URL the
 * backend has not registered yet, when another journey keeps a server at the first one.
 */
export function otherNameFor(url: string): string {
  const parsed = new URL(url);
  parsed.hostname = parsed.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return parsed.toString().replace(/\/$/, '');
}

/** Calls the simulator's control API (`/_sim/...`): scan a QR, send a message, flush. */
export async function simulator(
  request: APIRequestContext,
  sim: { url: string; key: string },
  path: string,
  data?: unknown,
) {
  const response = await request.post(`${sim.url}${path}`, {
    data,
    headers: { apikey: sim.key },
  });
  if (!response.ok()) {
    throw new Error(`simulator ${path} answered ${response.status()}: ${await response.text()}`);
  }
  return response.json() as Promise<unknown>;
}

/**
 * Waits (at most 10 s) until the simulator has delivered one instance's webhooks, retries
 * included: `/_sim/webhooks/flush?instance=`. Not every instance's: deleting a connected
 * instance (an earlier journey's cleanup) leaves events that the backend answers 410 and
 * that the simulator retries 5 s later, as Evolution does; a journey waiting for those
 * spent up to 5 s on another journey's instance.
 */
export async function flushWebhooks(
  request: APIRequestContext,
  sim: { url: string; key: string },
  instance: string,
) {
  await simulator(request, sim, `/_sim/webhooks/flush?wait=10&instance=${encodeURIComponent(instance)}`);
}
