import { expect, type Page, test } from '@playwright/test';

import { logInWithInstance } from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { flushWebhooks, simulator } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { sendInbound } from './utils/seed-instance';

interface SinkView {
  received: { event?: string }[];
  headers: Record<string, string>[];
}

async function addDestination(
  page: Page,
  {
    name,
    url,
    untick,
    tick,
    header,
  }: { name: string; url: string; untick: string[]; tick: string[]; header?: [string, string] },
) {
  await page.getByRole('button', { name: 'Adicionar destino' }).click();
  const dialog = page.getByRole('dialog', { name: 'Novo destino' });
  await dialog.getByLabel('Nome', { exact: true }).fill(name);
  await dialog.getByLabel('URL', { exact: true }).fill(url);
  await dialog.getByLabel('Todos os eventos').uncheck();
  for (const event of untick) await dialog.getByLabel(event, { exact: true }).uncheck();
  for (const event of tick) await dialog.getByLabel(event, { exact: true }).check();
  if (header) {
    await dialog.getByLabel('Nome do cabeçalho').fill(header[0]);
    await dialog.getByLabel('Valor', { exact: true }).fill(header[1]);
  }
  await dialog.getByRole('button', { name: 'Salvar destino' }).click();
  await expect(page.getByText(`Destino ${name} salvo.`)).toBeVisible();
}

test.describe('relay destinations', () => {
  test('an instance with two destinations with different filters delivers each event only where it belongs', async ({
    page,
  }, testInfo) => {
    test.setTimeout(120_000);
    const { instance, sim, tag } = await logInWithInstance(page, testInfo, {
      name: 'e2e-dest',
      displayName: 'Destinos E2E',
    });
    const chat = `${sim.url}/_sim/sinks/chat-${tag}`;
    const crm = `${sim.url}/_sim/sinks/crm-${tag}`;
    const sink = async (url: string) =>
      (await (await page.request.get(url, { headers: { apikey: sim.key } })).json()) as SinkView;
    try {
      await page.goto(`/instances/${String(instance.id)}`);
      const card = page.getByRole('heading', { name: 'Destinos de repasse' });
      await expect(card).toBeVisible();
      await addDestination(page, {
        name: 'Chatwoot',
        url: chat,
        untick: [],
        tick: [], // the default filter: MESSAGES_UPSERT
      });
      await addDestination(page, {
        name: 'CRM',
        url: crm,
        untick: ['MESSAGES_UPSERT'],
        tick: ['CONNECTION_UPDATE'],
        header: ['X-Api-Key', `crm-secret-${tag}`],
      });
      const items = page.getByTestId('destination');
      await expect(items).toHaveCount(2);
      await expect(items.nth(0)).toContainText('MESSAGES_UPSERT');
      await expect(items.nth(1)).toContainText('CONNECTION_UPDATE');
      await expect(items.nth(1)).toContainText('X-Api-Key');
      await expect(page.getByText(`crm-secret-${tag}`)).toHaveCount(0);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'destinations');

      // A message (messages.upsert), then the connection drops (connection.update).
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'text',
        text: `Para o Chatwoot (${tag})`,
      });
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/drop`, {});
      await flushWebhooks(page.request, sim, instance.name);

      await expect
        .poll(async () => (await sink(chat)).received.map((body) => body.event), {
          timeout: 45_000,
        })
        .toContain('messages.upsert');
      await expect
        .poll(async () => (await sink(crm)).received.map((body) => body.event), {
          timeout: 45_000,
        })
        .toContain('connection.update');
      const toChat = await sink(chat);
      const toCrm = await sink(crm);
      expect(new Set(toChat.received.map((body) => body.event))).toEqual(
        new Set(['messages.upsert']),
      );
      expect(new Set(toCrm.received.map((body) => body.event))).toEqual(
        new Set(['connection.update']),
      );
      expect(toCrm.headers.every((h) => h['x-api-key'] === `crm-secret-${tag}`)).toBe(true);
      expect(toChat.headers.every((h) => !('x-api-key' in h))).toBe(true);

      // The deliveries page names the destination of each attempt.
      await page.goto('/deliveries');
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      const destinations = page.getByTestId('delivery-destination');
      await expect(destinations.filter({ hasText: 'Chatwoot' }).first()).toBeVisible({
        timeout: 20_000,
      });
      await expect(destinations.filter({ hasText: 'CRM' }).first()).toBeVisible();
      await saveScreenshot(page, testInfo, 'deliveries-destinations');
    } finally {
      await instance.cleanup();
    }
  });

  test('the edit page subscribes an instance to an optional event on Evolution, the needed ones staying on', async ({
    page,
  }, testInfo) => {
    const { instance, sim } = await logInWithInstance(page, testInfo, {
      name: 'e2e-events',
      displayName: 'Eventos assinados E2E',
    });
    try {
      await page.goto(`/instances/${String(instance.id)}/edit`);
      const card = page.getByRole('heading', { name: 'Eventos assinados', exact: true });
      await expect(card).toBeVisible();
      const needed = page.getByRole('checkbox', { name: /MESSAGES_UPSERT/ });
      await expect(needed).toBeChecked();
      await expect(needed).toBeDisabled();
      await expect(page.getByText('recebe as mensagens')).toBeVisible();
      await page.getByRole('checkbox', { name: 'CALL', exact: true }).check();
      await page.getByRole('button', { name: 'Salvar eventos' }).click();
      await expect(page.getByText('Eventos atualizados na Evolution.')).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'event-selection');
      const hook = await page.request.get(`${sim.url}/webhook/find/${instance.name}`, {
        headers: { apikey: sim.key },
      });
      const events = ((await hook.json()) as { events: string[] }).events;
      expect(events).toContain('CALL');
      expect(events).toContain('MESSAGES_UPSERT');
    } finally {
      await instance.cleanup();
    }
  });
});
