import { type Browser, expect, type Page, test, type TestInfo } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, flushWebhooks, listServers, otherNameFor, simulator, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance } from './utils/seed-instance';

type Sim = { url: string; key: string };

/** A browser of its own for a person, shaped like this project's (desktop or phone). */
async function projectContext(browser: Browser, testInfo: TestInfo) {
  const use = testInfo.project.use;
  const context = await browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport,
    deviceScaleFactor: use.deviceScaleFactor,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    locale: use.locale,
    timezoneId: use.timezoneId,
    colorScheme: use.colorScheme,
  });
  return { context, page: await context.newPage() };
}

/** The customer: a 375 px phone with no cookies, whatever the project. */
async function customerContext(browser: Browser, testInfo: TestInfo) {
  return browser.newContext({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    colorScheme: testInfo.project.use.colorScheme,
  });
}

/** An instance on the simulator's server that is not connected (nothing scanned). */
async function disconnectedInstance(page: Page, sim: Sim, name: string, displayName: string) {
  const urls = [sim.url, otherNameFor(sim.url)];
  const server = (await listServers(page)).find((item) => urls.includes(item.base_url));
  if (!server) throw new Error('the simulator server is not registered');
  return api<{ id: number; name: string }>(page, 'POST', '/api/instances', {
    display_name: displayName,
    name,
    server_id: server.id,
  });
}

/** Creates a link through the instance page's card and returns its URL (shown once). */
async function createLink(op: Page, options: { pin?: string; singleUse?: boolean } = {}) {
  const card = op.getByTestId('reconnect-links-card');
  // The cards above this one (uptime, connection history) grow when their data arrives: a
  // click aimed while one still loads can land where the button was a moment before (CI
  // once saw no dialog open). Let the page settle first.
  await expect(op.getByRole('status').filter({ hasText: 'Carregando' })).toHaveCount(0);
  await card.getByRole('button', { name: 'Novo link' }).click();
  const dialog = op.getByRole('dialog', { name: 'Novo link de reconexão' });
  await expect(dialog.getByLabel('Validade')).toHaveValue('24');
  if (options.singleUse) await dialog.getByLabel('Uso único').check();
  if (options.pin) await dialog.getByLabel('PIN (opcional)').fill(options.pin);
  await dialog.getByRole('button', { name: 'Criar link' }).click();
  const field = dialog.getByTestId('one-time-secret');
  await expect(field).toHaveValue(/\/reconnect#[A-Za-z0-9_-]{22}$/);
  return { dialog, url: await field.inputValue() };
}

/**
 * The customer's page asks for the link's state every 2 s (POLL_MS, src/reconnect/page.ts)
 * and shows what changed by itself. Rather than wait out those seconds, its clock (installed
 * before it loaded) is moved on to its next poll, as often as it takes for `shown` to hold.
 */
async function untilNextPollShows(cust: Page, shown: () => Promise<boolean>) {
  await expect
    .poll(
      async () => {
        if (await shown()) return true;
        await cust.clock.fastForward(2_000);
        return shown();
      },
      { intervals: [100] },
    )
    .toBe(true);
}

test.describe('customer reconnect links', () => {
  test('an operator sends a link; the customer connects on a phone; the link is then spent', async ({
    page,
    browser,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const operator = { username: `op-rc-${tag}`, password: `senha-${tag}-Xy7` };
    const viewer = { username: `vw-rc-${tag}`, password: `senha-${tag}-Zw8` };
    const customerName = `Loja Cliente ${tag}`;

    await logInThroughApi(page, username, password);
    const sender = await seedInstance(page, sim, { name: `e2e-rcs-${tag}`, displayName: `Suporte ${tag}` });
    const target = await disconnectedInstance(page, sim, `e2e-rc-${tag}`, customerName);
    const userIds: number[] = [];
    for (const [person, role] of [
      [operator, 'operator'],
      [viewer, 'viewer'],
    ] as const) {
      const created = await api<{ user: { id: number } }>(page, 'POST', '/api/users', {
        username: person.username,
        role,
        password: person.password,
      });
      userIds.push(created.user.id);
    }
    const opContext = await projectContext(browser, testInfo);
    const customer = await customerContext(browser, testInfo);
    try {
      // The operator, in a browser of their own, on the instance page.
      const op = opContext.page;
      await opContext.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await logInThroughApi(op, operator.username, operator.password);
      await op.goto(`/instances/${target.id}`);
      await expect(op.getByRole('heading', { level: 1, name: customerName })).toBeVisible();
      const card = op.getByTestId('reconnect-links-card');
      await expect(card.getByText('Nenhum link ativo.')).toBeVisible();

      const { dialog, url } = await createLink(op, { pin: '4821' });
      const token = url.split('#')[1];
      const copy = dialog.getByRole('button', { name: 'Copiar: Link para o cliente' });
      await copy.click();
      await expect(copy).toHaveText(/Copiado!/);
      expect(await op.evaluate(() => navigator.clipboard.readText())).toBe(url);

      // Sent by WhatsApp from the other, connected instance.
      await dialog.getByLabel('Enviar pela instância').selectOption({ label: sender.displayName });
      await dialog.getByLabel('Número do cliente').fill('11987654321');
      await expect(dialog.getByLabel('Mensagem')).toHaveValue(new RegExp(`${customerName}.*${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      await expect(dialog.getByText(/O PIN não vai na mensagem/)).toBeVisible();
      await expectNoSeriousA11yViolations(op);
      await saveScreenshot(op, testInfo, 'reconnect-link-created');
      await dialog.getByRole('button', { name: 'Enviar link' }).click();
      await expect(dialog.getByText('Link enviado para +55 (11) 98765-4321.')).toBeVisible();
      const sent = await api<{ items: { text: string | null; from_me: boolean }[] }>(
        page,
        'GET',
        `/api/messages?instance_id=${sender.id}`,
      );
      expect(sent.items.some((item) => item.from_me && item.text?.includes(url))).toBe(true);
      await dialog.getByRole('button', { name: 'Concluir' }).click();
      await expect(dialog).toBeHidden();
      const items = card.getByTestId('reconnect-link');
      await expect(items).toHaveCount(1);
      await expect(items.first()).toContainText('Até conectar');
      await expect(items.first()).toContainText('PIN');

      // The customer: no cookies, a phone; the PIN first.
      const cust = await customer.newPage();
      await cust.clock.install();
      await cust.goto(url);
      await expect(cust.getByRole('heading', { level: 1, name: customerName })).toBeVisible();
      await expect(cust.getByRole('heading', { name: 'Digite o PIN' })).toBeVisible();
      await cust.getByLabel('PIN').fill('0000');
      await cust.getByRole('button', { name: 'Continuar' }).click();
      await expect(cust.getByText('PIN incorreto. Confira e tente de novo.')).toBeVisible();
      await cust.getByLabel('PIN').fill('4821');
      await cust.getByRole('button', { name: 'Continuar' }).click();
      await expect(cust.getByRole('heading', { name: 'Como você quer conectar?' })).toBeVisible();
      await expectNoSeriousA11yViolations(cust);
      await saveScreenshot(cust, testInfo, 'reconnect-customer-choose');

      await cust.getByRole('button', { name: /Mostrar QR code/ }).click();
      const qr = cust.getByRole('img', { name: 'QR code para conectar o WhatsApp' });
      await expect(qr).toBeVisible();
      const firstQr = await qr.getAttribute('src');
      expect(firstQr).toMatch(/^data:image\/png;base64,/);
      // Nothing but the display name: no token, technical name or id on the page.
      const text = await cust.locator('body').innerText();
      expect(text).not.toContain(token);
      expect(text).not.toContain(target.name);
      await expectNoSeriousA11yViolations(cust);
      await saveScreenshot(cust, testInfo, 'reconnect-customer-qr');
      // Evolution rotates the QR: the page shows the new one by itself.
      await simulator(cust.request, sim, `/_sim/instances/${target.name}/qrcode`);
      await flushWebhooks(cust.request, sim, target.name);
      await untilNextPollShows(cust, async () => (await qr.getAttribute('src')) !== firstQr);
      await expect(qr).not.toHaveAttribute('src', firstQr ?? '');

      // The phone scans it: "Conectado!", live.
      await simulator(cust.request, sim, `/_sim/instances/${target.name}/scan`, {
        number: '5511912345678',
        profileName: customerName,
      });
      await flushWebhooks(cust.request, sim, target.name);
      const connected = cust.getByRole('heading', { name: 'Conectado!' });
      await untilNextPollShows(cust, () => connected.isVisible());
      await expect(connected).toBeVisible();
      await expect(cust.getByText(`O WhatsApp de ${customerName} está conectado.`, { exact: false })).toBeVisible();
      await expect(qr).toHaveCount(0);
      await expectNoSeriousA11yViolations(cust);
      await saveScreenshot(cust, testInfo, 'reconnect-customer-connected');

      // The link is spent: opening it again says so.
      await cust.reload();
      await expect(cust.getByRole('heading', { name: 'Link já usado' })).toBeVisible();
      await expect(cust.getByText(/já foi usado e não funciona mais/)).toBeVisible();

      // The operator's page: connected, and no active link left.
      await op.reload();
      await expect(op.getByTestId('instance-status')).toHaveText('Conectada');
      await expect(card.getByText('Nenhum link ativo.')).toBeVisible();

      // A second, single-use link, revoked before use: the customer is told.
      const second = await createLink(op, { singleUse: true });
      await second.dialog.getByRole('button', { name: 'Concluir' }).click();
      await expect(items).toHaveCount(1);
      await expect(items.first()).toContainText('Uso único');
      await items.first().getByRole('button', { name: /^Revogar/ }).click();
      await expect(card.getByText('Link revogado.')).toBeVisible();
      await expect(card.getByText('Nenhum link ativo.')).toBeVisible();
      const [path, fragment] = second.url.split('#');
      await cust.goto(`${path}?lang=en#${fragment}`);
      await expect(cust.getByRole('heading', { name: 'Link cancelled' })).toBeVisible();
      await cust.getByRole('button', { name: 'Ver esta página em português' }).click();
      await expect(cust.getByRole('heading', { name: 'Link cancelado' })).toBeVisible();

      // Viewers see no reconnect controls.
      const vw = await projectContext(browser, testInfo);
      try {
        await logInThroughApi(vw.page, viewer.username, viewer.password);
        await vw.page.goto(`/instances/${target.id}`);
        await expect(vw.page.getByRole('heading', { level: 1, name: customerName })).toBeVisible();
        await expect(vw.page.getByTestId('uptime-card')).toBeVisible();
        await expect(vw.page.getByTestId('reconnect-links-card')).toHaveCount(0);
      } finally {
        await vw.context.close();
      }
    } finally {
      await customer.close();
      await opContext.context.close();
      await api(page, 'DELETE', `/api/instances/${target.id}`).catch(() => undefined);
      await sender.cleanup().catch(() => undefined);
      for (const id of userIds) {
        await api(page, 'PATCH', `/api/users/${id}`, { is_active: false }).catch(() => undefined);
      }
    }
  });
});
