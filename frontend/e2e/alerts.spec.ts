import { expect, type Page, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, simulator, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance } from './utils/seed-instance';

interface SinkBody {
  type: string;
  alert: { id: number; subject_key: string; rule: string; facts: Record<string, unknown> } | null;
}

/** What the simulator's sink (the alert webhook's destination) received so far. */
async function sinkBodies(page: Page, sim: { url: string; key: string }, sink: string) {
  const response = await page.request.get(`${sim.url}/_sim/sinks/${sink}`, {
    headers: { apikey: sim.key },
  });
  return ((await response.json()) as { received: SinkBody[] }).received;
}

/** A webhook channel to one of the simulator's sinks, added through the API. */
async function sinkChannel(page: Page, sim: { url: string; key: string }, name: string, sink: string) {
  const channel = await api<{ id: number }>(page, 'POST', '/api/alerts/channels', {
    name,
    config: { kind: 'webhook', url: `${sim.url}/_sim/sinks/${sink}`, format: 'json' },
  });
  return () => api(page, 'DELETE', `/api/alerts/channels/${String(channel.id)}`);
}

/** The notices the sink received about one subject, in order. */
async function noticesAbout(page: Page, sim: { url: string; key: string }, sink: string, subject: string) {
  return (await sinkBodies(page, sim, sink)).filter((b) => b.alert?.subject_key === subject).map((b) => b.type);
}

// @phone: the rules stack at 375 px (the phone project runs only tagged journeys).
test.describe('alert rules', { tag: '@phone' }, () => {
  test('the rules read and change without sideways scrolling on a phone', async ({ page }, testInfo) => {
    // The layout at 375 px is what this checks; the desktop journey below edits rules too.
    test.skip(testInfo.project.name !== 'phone', 'a phone layout check');
    const { username, password } = adminCredentials();
    await logInThroughApi(page, username, password);
    try {
      await page.goto('/alerts');
      await expect(page.getByRole('heading', { level: 1, name: 'Alertas' })).toBeVisible();
      const rules = page.getByRole('list', { name: 'Regras de alerta' });
      // The eight rule kinds, backup_failed among them.
      await expect(rules.getByRole('listitem')).toHaveCount(8);
      const flapping = page.getByTestId('rule-flapping');
      await expect(flapping).toContainText('Instável (oscilando)');
      // Nothing is wider than the phone: no sideways scrolling, every control in reach.
      const width = await page.evaluate(() => document.documentElement.clientWidth);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      for (const control of [
        flapping.getByRole('checkbox', { name: 'Regra Instável (oscilando) ativa' }),
        flapping.getByLabel('Mudanças'),
        flapping.getByLabel('Janela (min)'),
        flapping.getByRole('button', { name: 'Salvar' }),
      ]) {
        await control.scrollIntoViewIfNeeded();
        const box = await control.boundingBox();
        expect(box).not.toBeNull();
        expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= width).toBe(true);
      }
      await saveScreenshot(page, testInfo, 'alert-rules');

      // An admin changes a threshold from the phone; the rule now differs from its default.
      await flapping.getByLabel('Mudanças').fill('7');
      await flapping.getByRole('button', { name: 'Salvar' }).click();
      const changed = page.getByTestId('rule-flapping');
      await expect(changed.getByRole('button', { name: 'Voltar ao padrão' })).toBeVisible();
      await expect(changed.getByLabel('Mudanças')).toHaveValue('7');
      await expectNoSeriousA11yViolations(page);
    } finally {
      await api(page, 'DELETE', '/api/alerts/rules/flapping');
    }
  });
});

test.describe('alerts journey', () => {
  test('a dropped connection fires an alert (bell, toast, page, webhook) and reconnecting resolves it', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const sink = `alerts-${tag}`;

    await logInThroughApi(page, username, password);

    const instance = await seedInstance(page, sim, {
      name: `e2e-alert-${tag}`,
      displayName: `Alerta E2E ${tag}`,
    });
    const subject = `instance:${String(instance.id)}`;
    // Seconds instead of minutes (the check runs every second in scripts/e2e.sh).
    await api(page, 'PATCH', '/api/alerts/rules/down', { enabled: true, threshold_seconds: 2 });
    try {
      // An admin adds a webhook channel in the app and sends it a test alert.
      await page.goto('/alerts');
      await expect(page.getByRole('heading', { level: 1, name: 'Alertas' })).toBeVisible();
      const form = page.getByRole('form', { name: 'Adicionar canal' });
      await form.getByLabel('Nome').fill(`Webhook ${tag}`);
      await form.getByLabel('URL', { exact: true }).fill(`${sim.url}/_sim/sinks/${sink}`);
      await form.getByRole('button', { name: 'Adicionar canal' }).click();
      await expect(page.getByTestId('channel-note')).toHaveText('Canal adicionado.');
      await page.getByRole('button', { name: `Enviar alerta de teste pelo canal Webhook ${tag}` }).click();
      await expect(page.getByTestId('channel-note')).toContainText(`Teste enviado por "Webhook ${tag}"`);
      await expect.poll(async () => (await sinkBodies(page, sim, sink)).map((b) => b.type)).toContain(
        'alert.test',
      );

      // The connection drops (logged out on the phone): within the threshold and a check,
      // the toast pops, the bell counts it and the webhook receives it.
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/drop`, { reason: 401 });
      const toast = page.getByTestId('alert-toast').filter({ hasText: instance.displayName });
      await expect(toast).toContainText('Alerta disparado: Instância caiu', { timeout: 20_000 });
      await expect(page.getByTestId('alert-bell-count')).toBeVisible();
      const firing = page.getByTestId('firing-alert').filter({ hasText: instance.displayName });
      await expect(firing).toBeVisible();
      await expect
        .poll(async () =>
          (await sinkBodies(page, sim, sink))
            .filter((b) => b.alert?.subject_key === subject)
            .map((b) => b.type),
        )
        .toEqual(['alert.fired']);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'alerts-firing');

      // Someone acknowledges it: it leaves the bell's count.
      const before = Number(await page.getByTestId('alert-bell-count').textContent());
      await firing.getByRole('button', { name: /^Reconhecer o alerta/ }).click();
      await expect(firing).toContainText('Reconhecido');
      if (before === 1) await expect(page.getByTestId('alert-bell-count')).toBeHidden();
      else await expect(page.getByTestId('alert-bell-count')).toHaveText(String(before - 1));

      // Reconnected: the alert resolves, the webhook hears it, the history keeps it.
      await api(page, 'POST', `/api/instances/${String(instance.id)}/connect`, {});
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/scan`, {
        number: '5511912345678',
      });
      await expect(
        page.getByTestId('alert-toast').filter({ hasText: 'Alerta resolvido' }).filter({
          hasText: instance.displayName,
        }),
      ).toBeVisible({ timeout: 20_000 });
      await expect(firing).toBeHidden();
      await expect
        .poll(async () =>
          (await sinkBodies(page, sim, sink))
            .filter((b) => b.alert?.subject_key === subject)
            .map((b) => b.type),
        )
        .toEqual(['alert.fired', 'alert.resolved']);
      const row = page.getByTestId('alert-row').filter({ hasText: instance.displayName }).first();
      await expect(row).toContainText('Resolvido');
      await saveScreenshot(page, testInfo, 'alerts-resolved');
    } finally {
      await api(page, 'DELETE', '/api/alerts/rules/down');
      const channels = await api<{ id: number; name: string }[]>(page, 'GET', '/api/alerts/channels');
      for (const channel of channels.filter((c) => c.name === `Webhook ${tag}`)) {
        await api(page, 'DELETE', `/api/alerts/channels/${String(channel.id)}`);
      }
      await instance.cleanup();
    }
  });

  test('a zombie (open, socket dead) fires an alert (bell, toast, page, webhook) and resolves when it answers again', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const sink = `zombie-${tag}`;
    await logInThroughApi(page, username, password);
    const instance = await seedInstance(page, sim, {
      name: `e2e-zombie-${tag}`,
      displayName: `Zumbi E2E ${tag}`,
    });
    const subject = `instance:${String(instance.id)}`;
    const removeChannel = await sinkChannel(page, sim, `Webhook ${tag}`, sink);
    // A second of silence instead of half an hour before the WhatsApp probe (the check
    // runs every second in scripts/e2e.sh).
    await api(page, 'PATCH', '/api/alerts/rules/zombie', { enabled: true, threshold_seconds: 1 });
    try {
      await page.goto('/alerts');
      await expect(page.getByRole('heading', { level: 1, name: 'Alertas' })).toBeVisible();

      // The socket dies; Evolution keeps saying "open" and sends nothing.
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/zombie`, {
        on: true,
        failAfterMs: 0,
      });
      const toast = page.getByTestId('alert-toast').filter({ hasText: instance.displayName });
      await expect(toast).toContainText('Alerta disparado: Instância zumbi', { timeout: 20_000 });
      await expect(page.getByTestId('alert-bell-count')).toBeVisible();
      const firing = page.getByTestId('firing-alert').filter({ hasText: instance.displayName });
      await expect(firing).toContainText('Instância zumbi');
      await expect.poll(() => noticesAbout(page, sim, sink, subject)).toEqual(['alert.fired']);
      // Evolution still says open: the down rule has nothing to say about it.
      const state = await api<{ status: string }>(page, 'GET', `/api/instances/${String(instance.id)}`);
      expect(state.status).toBe('open');
      await saveScreenshot(page, testInfo, 'alerts-zombie');

      // The socket comes back: the next probe answers and the alert resolves.
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/zombie`, { on: false });
      await expect(
        page.getByTestId('alert-toast').filter({ hasText: 'Alerta resolvido' }).filter({
          hasText: instance.displayName,
        }),
      ).toBeVisible({ timeout: 20_000 });
      await expect(firing).toBeHidden();
      await expect.poll(() => noticesAbout(page, sim, sink, subject)).toEqual(['alert.fired', 'alert.resolved']);
    } finally {
      // The instance goes first: back at its default, the rule must find nothing of it.
      await instance.cleanup();
      await removeChannel();
      await api(page, 'DELETE', '/api/alerts/rules/zombie');
    }
  });

  test('a flapping instance fires an alert (bell, toast, page, webhook) and resolves', async ({ page }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const sink = `flapping-${tag}`;
    await logInThroughApi(page, username, password);
    const instance = await seedInstance(page, sim, {
      name: `e2e-flap-${tag}`,
      displayName: `Oscilando E2E ${tag}`,
    });
    const subject = `instance:${String(instance.id)}`;
    const removeChannel = await sinkChannel(page, sim, `Webhook ${tag}`, sink);
    await api(page, 'PATCH', '/api/alerts/rules/flapping', { enabled: true, transitions: 5, window_minutes: 10 });
    try {
      await page.goto('/alerts');
      await expect(page.getByRole('heading', { level: 1, name: 'Alertas' })).toBeVisible();

      // Logged out on the phone and scanned again, twice: each change comes as a webhook.
      for (let round = 0; round < 2; round += 1) {
        await simulator(page.request, sim, `/_sim/instances/${instance.name}/drop`, { reason: 401 });
        await expect
          .poll(async () => (await api<{ status: string }>(page, 'GET', `/api/instances/${String(instance.id)}`)).status)
          .toBe('close');
        await api(page, 'POST', `/api/instances/${String(instance.id)}/connect`, {});
        await simulator(page.request, sim, `/_sim/instances/${instance.name}/scan`, { number: '5511912345678' });
        await expect
          .poll(async () => (await api<{ status: string }>(page, 'GET', `/api/instances/${String(instance.id)}`)).status)
          .toBe('open');
      }
      const toast = page.getByTestId('alert-toast').filter({ hasText: instance.displayName });
      await expect(toast).toContainText('Alerta disparado: Instável (oscilando)', { timeout: 20_000 });
      await expect(page.getByTestId('alert-bell-count')).toBeVisible();
      const firing = page.getByTestId('firing-alert').filter({ hasText: instance.displayName });
      await expect(firing).toContainText('Instável (oscilando)');
      await expect.poll(() => noticesAbout(page, sim, sink, subject)).toEqual(['alert.fired']);
      const fired = (await sinkBodies(page, sim, sink)).find((b) => b.alert?.subject_key === subject);
      expect(Number(fired?.alert?.facts.transitions)).toBeGreaterThanOrEqual(5);
      await saveScreenshot(page, testInfo, 'alerts-flapping');

      // Calm again. Waiting for the ten minutes to pass over the transitions is the
      // backend's journey (tests/alerts/test_journeys.py); here an admin raises the bar
      // above what happened, and the alert resolves at the next check.
      await api(page, 'PATCH', '/api/alerts/rules/flapping', { transitions: 1000 });
      await expect(
        page.getByTestId('alert-toast').filter({ hasText: 'Alerta resolvido' }).filter({
          hasText: instance.displayName,
        }),
      ).toBeVisible({ timeout: 20_000 });
      await expect(firing).toBeHidden();
      await expect.poll(() => noticesAbout(page, sim, sink, subject)).toEqual(['alert.fired', 'alert.resolved']);
    } finally {
      // The instance goes first: back at its default, the rule must find nothing of it.
      await instance.cleanup();
      await removeChannel();
      await api(page, 'DELETE', '/api/alerts/rules/flapping');
    }
  });
});
