import type { Page } from '@playwright/test';

import { api, flushWebhooks, listServers, otherNameFor, simulator } from './evodash-api';

export interface SeededInstance {
  id: number;
  /** Technical name (the simulator's instance name). */
  name: string;
  displayName: string;
  /** Removes what was created (the server too, when it was created here). */
  cleanup: () => Promise<void>;
}

/**
 * A connected instance on the simulator, through the API: the server is reused when one
 * is registered at the simulator (under either of its names), else created; the instance
 * is created, connected, and its QR "scanned".
 */
export async function seedInstance(
  page: Page,
  sim: { url: string; key: string },
  { name, displayName }: { name: string; displayName: string },
): Promise<SeededInstance> {
  const urls = [otherNameFor(sim.url), sim.url];
  let server = (await listServers(page)).find((candidate) => urls.includes(candidate.base_url));
  const ownServer = !server;
  server ??= await api<{ id: number; name: string; base_url: string }>(
    page,
    'POST',
    '/api/servers',
    { name: `E2E ${displayName}`, base_url: urls[0], api_key: sim.key },
  );

  const existing = await api<{ items: { id: number; name: string }[] }>(
    page,
    'GET',
    `/api/instances?search=${encodeURIComponent(name)}`,
  );
  for (const old of existing.items.filter((item) => item.name === name)) {
    await api(page, 'DELETE', `/api/instances/${old.id}`);
  }
  const instance = await api<{ id: number }>(page, 'POST', '/api/instances', {
    display_name: displayName,
    name,
    server_id: server.id,
  });
  await api(page, 'POST', `/api/instances/${instance.id}/connect`, {});
  await simulator(page.request, sim, `/_sim/instances/${name}/scan`, {
    number: '5511912345678',
    profileName: displayName,
  });
  const serverId = server.id;
  return {
    id: instance.id,
    name,
    displayName,
    cleanup: async () => {
      if (ownServer) {
        await api(page, 'DELETE', `/api/servers/${serverId}?remove_instances=true&force=true`);
      } else {
        await api(page, 'DELETE', `/api/instances/${instance.id}`);
      }
    },
  };
}

/** An inbound message from a contact, delivered to the backend before this returns. */
export async function sendInbound(
  page: Page,
  sim: { url: string; key: string },
  instance: string,
  body: Record<string, unknown>,
) {
  await simulator(page.request, sim, `/_sim/instances/${instance}/messages`, body);
  await flushWebhooks(page.request, sim, instance);
}
