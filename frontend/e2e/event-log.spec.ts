import { expect, test } from '@playwright/test';

import { logInWithInstance } from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { followNavLink } from './utils/auth';
import { api } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { sendInbound } from './utils/seed-instance';

test.describe('event log and deliveries', () => {
  test('the event log shows why an event failed, masks its payload and replays it', async ({
    page,
  }, testInfo) => {
    const { instance, sim } = await logInWithInstance(page, testInfo, {
      name: 'e2e-log',
      displayName: 'Eventos E2E',
    });
    try {
      // Evolution posts an upsert whose message has no id: stored, and failed to apply.
      const hook = await page.request.get(`${sim.url}/webhook/find/${instance.name}`, {
        headers: { apikey: sim.key },
      });
      const secret = ((await hook.json()) as { headers: Record<string, string> }).headers[
        'x-evodash-secret'
      ];
      const posted = await page.request.post(`/api/webhooks/evolution/${instance.id}`, {
        headers: { 'x-evodash-secret': secret },
        data: {
          event: 'messages.upsert',
          instance: instance.name,
          data: { key: { remoteJid: '5511987654321@s.whatsapp.net', fromMe: false } },
          date_time: new Date().toISOString(),
          apikey: 'E3B0C442-98FC-4C14-9AFB-F4C8996FB924',
        },
      });
      expect(posted.ok()).toBe(true);
      const eventId = ((await posted.json()) as { event_id: number }).event_id;

      await followNavLink(page, 'Log de eventos');
      await expect(page.getByRole('heading', { level: 1, name: 'Log de eventos' })).toBeVisible();
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      await page.getByLabel('Situação').selectOption({ label: 'Falhou' });
      const row = page.getByTestId('event-row').filter({ hasText: 'messages.upsert' });
      await expect(row).toHaveCount(1, { timeout: 20_000 });
      await expect(row).toContainText('NotAMessage: the message key has no id');
      await expectNoSeriousA11yViolations(page);

      await row.getByRole('button', { name: `Ver o evento ${String(eventId)}` }).click();
      const dialog = page.getByRole('dialog', { name: `Evento ${String(eventId)}` });
      await expect(dialog.getByTestId('event-payload')).toContainText('"apikey": "****B924"');
      await expect(dialog.getByTestId('event-payload')).not.toContainText('E3B0C442');
      await saveScreenshot(page, testInfo, 'event-log-payload');
      await dialog.getByRole('button', { name: 'Reaplicar' }).click();
      await expect(page.getByText(`Evento ${String(eventId)} reaplicado: Falhou.`)).toBeVisible();
      await dialog.getByRole('button', { name: 'Fechar' }).last().click();
      await expect(row.getByRole('cell').nth(4)).toHaveText('2'); // applied twice now
      await saveScreenshot(page, testInfo, 'event-log');
    } finally {
      await instance.cleanup();
    }
  });

  test('the deliveries page retries a failed delivery and shows it delivered', async ({
    page,
  }, testInfo) => {
    const { instance, sim, tag } = await logInWithInstance(page, testInfo, {
      name: 'e2e-fwd',
      displayName: 'Entregas E2E',
    });
    const sink = `${sim.url}/_sim/sinks/crm-${tag}`;
    const setSink = (status: number) =>
      page.request.put(sink, { data: { status }, headers: { apikey: sim.key } });
    try {
      // Messages only: an inbound message also brings contacts.upsert and chats.upsert,
      // which an every-event destination relays too, each failing at its own moment; the
      // rows to retry would be a count that grows while the page is read.
      await api(page, 'POST', `/api/instances/${String(instance.id)}/destinations`, {
        name: 'CRM',
        url: sink,
        events: ['MESSAGES_UPSERT'],
      });
      expect((await setSink(503)).ok()).toBe(true);
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'text',
        text: `Encaminhe (${tag})`,
      });
      // The relay's one attempt fails in the background; the page, opened before that,
      // would show it only at its next idle poll (5 s). Open it once it has failed.
      await expect
        .poll(
          async () => {
            const body = await api<{ items: unknown[] }>(
              page,
              'GET',
              `/api/webhooks/deliveries?instance_id=${String(instance.id)}&status=failed`,
            );
            return body.items.length;
          },
          { timeout: 20_000, intervals: [100, 250] },
        )
        .toBe(1);

      await followNavLink(page, 'Entregas');
      await expect(page.getByRole('heading', { level: 1, name: 'Entregas' })).toBeVisible();
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      await page.getByLabel('Situação').selectOption({ label: 'Falhou' });
      const failed = page.getByTestId('delivery-row').filter({ hasText: '503' });
      await expect(failed.first()).toBeVisible({ timeout: 20_000 });
      await expect(failed.first()).toContainText('sem novas tentativas');
      await expectNoSeriousA11yViolations(page);

      await expect(page.getByTestId('delivery-row')).toHaveCount(1);
      expect((await setSink(200)).ok()).toBe(true);
      await page.getByLabel('Situação').selectOption({ label: 'Todas' });
      await expect(page.getByRole('button', { name: /^Reenviar a entrega/ })).toHaveCount(1);
      await page.getByRole('checkbox', { name: 'Selecionar todas as que falharam' }).check();
      await page.getByRole('button', { name: 'Reenviar 1 selecionada' }).click();
      const delivered = page.getByTestId('delivery-row').filter({ hasText: 'Entregue' });
      await expect(delivered).toHaveCount(1, { timeout: 20_000 });
      await expect(delivered.first()).toContainText('200');
      await expect(page.getByRole('button', { name: /^Reenviar a entrega/ })).toHaveCount(0);
      await saveScreenshot(page, testInfo, 'deliveries');
      const received = await page.request.get(sink, { headers: { apikey: sim.key } });
      const bodies = ((await received.json()) as { received: { event: string }[] }).received;
      expect(bodies.filter((body) => body.event === 'messages.upsert')).toHaveLength(2);
    } finally {
      await instance.cleanup();
    }
  });
});
