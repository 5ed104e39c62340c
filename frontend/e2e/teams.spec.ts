import { type Browser, expect, type Page, test, type TestInfo } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { type SeededInstance, seedInstance, sendInbound } from './utils/seed-instance';

type Sim = { url: string; key: string };

interface TeamRow {
  id: number;
  name: string;
}

/** The invoice image that becomes a job, and a text: two messages per instance. */
async function seedMessages(page: Page, sim: Sim, instance: SeededInstance, tag: string) {
  await sendInbound(page, sim, instance.name, {
    from: '5511987654321',
    pushName: 'Maria',
    type: 'text',
    text: `Oi, ${instance.displayName} (${tag})`,
  });
  await sendInbound(page, sim, instance.name, {
    from: '5511987654321',
    pushName: 'Maria',
    type: 'image',
    caption: `Fatura de ${instance.displayName} (${tag})`,
    image: { kind: 'invoice', amount: '10.00', dueDate: '2026-12-20' },
  });
}

async function jobOf(page: Page, instanceId: number): Promise<number> {
  let id = 0;
  await expect
    .poll(async () => {
      const jobs = await api<{ items: { id: number }[] }>(
        page,
        'GET',
        `/api/jobs?instance_id=${instanceId}`,
      );
      id = jobs.items[0]?.id ?? 0;
      return id;
    })
    .toBeGreaterThan(0);
  return id;
}

/** A browser of its own for the operator, shaped like this project's (desktop or phone). */
async function operatorPage(browser: Browser, testInfo: TestInfo) {
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

/** A message to each instance, B's first: once A's shows, B's would have shown before it. */
async function liveMessages(page: Page, sim: Sim, a: SeededInstance, b: SeededInstance, text: string) {
  await sendInbound(page, sim, b.name, { from: '5521999990000', type: 'text', text: `${text} B` });
  await sendInbound(page, sim, a.name, { from: '5521999990000', type: 'text', text: `${text} A` });
}

test.describe('teams journey', () => {
  test('an operator of team A never sees team B’s instance; admins manage teams and key limits', async ({
    page,
    browser,
    request,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const operator = { username: `op-${tag}`, password: `senha-${tag}-Xy7` };
    const teamA = `Time A ${tag}`;
    const teamB = `Time B ${tag}`;

    await logInThroughApi(page, username, password);

    const a = await seedInstance(page, sim, { name: `e2e-ta-${tag}`, displayName: `Loja A ${tag}` });
    const b = await seedInstance(page, sim, { name: `e2e-tb-${tag}`, displayName: `Loja B ${tag}` });
    const operatorContext = await operatorPage(browser, testInfo);
    let operatorId = 0;
    try {
      const created = await api<{ user: { id: number } }>(page, 'POST', '/api/users', {
        username: operator.username,
        role: 'operator',
        password: operator.password,
      });
      operatorId = created.user.id;
      await api(page, 'POST', '/api/teams', { name: teamB, instance_ids: [b.id] });
      await seedMessages(page, sim, a, tag);
      await seedMessages(page, sim, b, tag);
      const jobA = await jobOf(page, a.id);
      const jobB = await jobOf(page, b.id);

      // Team A through the Times tab: the operator and instance A, found by searching.
      await page.goto('/users');
      await page.getByRole('link', { name: 'Times' }).click();
      await expect(page).toHaveURL(/[?&]tab=teams/);
      await page.getByRole('button', { name: 'Novo time' }).click();
      const dialog = page.getByRole('dialog', { name: 'Novo time' });
      await dialog.getByLabel('Nome', { exact: true }).fill(teamA);
      await dialog.getByLabel('Descrição (opcional)').fill('Clientes da loja A');
      const members = dialog.getByRole('group', { name: 'Membros', exact: true });
      await members.getByLabel('Buscar: Membros').fill(operator.username);
      await members.getByRole('checkbox', { name: operator.username }).check();
      const instances = dialog.getByRole('group', { name: 'Instâncias', exact: true });
      await instances.getByLabel('Buscar: Instâncias').fill(a.displayName);
      await instances.getByRole('checkbox', { name: a.displayName }).check();
      await expect(instances.getByRole('button', { name: `Remover ${a.displayName}` })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'teams-form');
      await dialog.getByRole('button', { name: 'Criar time' }).click();
      await expect(page.getByRole('status')).toContainText(`Time ${teamA} criado.`);
      const rowA = page.locator(`[data-testid="team-row"][data-team="${teamA}"]`);
      await expect(rowA).toContainText('Clientes da loja A');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'teams-list');
      const teams = await api<{ items: (TeamRow & { user_ids: number[]; instance_ids: number[] })[] }>(
        page,
        'GET',
        '/api/teams?page_size=200',
      );
      const savedA = teams.items.find((team) => team.name === teamA);
      expect(savedA).toMatchObject({ user_ids: [created.user.id], instance_ids: [a.id] });

      // The operator, in a browser of their own.
      const op = operatorContext.page;
      await logInThroughApi(op, operator.username, operator.password);

      // Dashboard: the figures count A alone (its 2 messages), the lists name A alone.
      await expect(op.getByTestId('stat-instances').locator('.stat-card-value')).toHaveText('1');
      await expect(op.getByTestId('stat-messages').locator('.stat-card-value')).toHaveText('2');
      const recent = op.getByRole('region', { name: 'Instâncias recentes' });
      await expect(recent.getByRole('link', { name: a.displayName })).toBeVisible();
      await expect(recent).not.toContainText(b.displayName);
      const latest = op.getByRole('region', { name: 'Últimas mensagens' });
      await expect(latest).toContainText(`Oi, ${a.displayName}`);
      await expect(latest).not.toContainText(b.displayName);
      // Live: B's message goes first, A's follows; A's shows, B's never does.
      await liveMessages(page, sim, a, b, `Ao vivo no dashboard (${tag})`);
      await expect(latest).toContainText(`Ao vivo no dashboard (${tag}) A`, { timeout: 20_000 });
      await expect(latest).not.toContainText(`Ao vivo no dashboard (${tag}) B`);
      await expect(op.getByTestId('stat-instances').locator('.stat-card-value')).toHaveText('1');

      // Instances: A only; searching for B finds nothing; B's page does not exist.
      await op.goto('/instances');
      await expect(op.getByRole('heading', { level: 1, name: 'Instâncias' })).toBeVisible();
      await expect(op.getByRole('link', { name: a.displayName }).first()).toBeVisible();
      await expect(op.getByText(b.displayName)).toHaveCount(0);
      await op.getByLabel('Buscar por nome ou número').fill(b.displayName);
      // The search ran (A is gone from the list) and found nothing of B's either; the
      // empty state's markup differs between the table and the phone cards.
      await expect(op.getByRole('link', { name: a.displayName })).toHaveCount(0);
      await expect(op.getByText('Nenhuma instância encontrada').first()).toBeVisible();
      await expect(op.getByText(b.displayName)).toHaveCount(0);
      await op.goto(`/instances/${b.id}`);
      await expect(op.getByRole('alert')).toContainText('Esta instância não existe');
      await expect(op.getByText(b.displayName)).toHaveCount(0);
      const direct = await op.request.get(`/api/instances/${b.id}`);
      expect(direct.status()).toBe(404);

      // Messages: A's only, in the list and in the instance filter; live, A's alone.
      await op.goto('/messages');
      await expect(op.getByRole('heading', { level: 1, name: 'Mensagens' })).toBeVisible();
      const rows = op.getByTestId('message-row');
      await expect(rows.filter({ hasText: `Oi, ${a.displayName}` })).toHaveCount(1);
      await expect(rows.filter({ hasText: b.displayName })).toHaveCount(0);
      await expect(rows.filter({ hasText: `(${tag}) B` })).toHaveCount(0);
      const filter = op.getByLabel('Instância', { exact: true });
      await expect(filter.locator('option', { hasText: a.displayName })).toHaveCount(1);
      await expect(filter.locator('option', { hasText: b.displayName })).toHaveCount(0);
      await expectNoSeriousA11yViolations(op);
      await liveMessages(page, sim, a, b, `Ao vivo nas mensagens (${tag})`);
      const pill = op.getByRole('button', { name: '1 nova mensagem' });
      await expect(pill).toBeVisible({ timeout: 20_000 });
      await pill.click();
      await expect(rows.filter({ hasText: `Ao vivo nas mensagens (${tag}) A` })).toHaveCount(1);
      await expect(rows.filter({ hasText: `Ao vivo nas mensagens (${tag}) B` })).toHaveCount(0);

      // Jobs: A's invoice, not B's.
      await op.goto('/jobs');
      await expect(op.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
      await expect(op.locator(`[data-testid="job-row"][data-job-id="${jobA}"]`)).toBeVisible();
      await expect(op.locator(`[data-testid="job-row"][data-job-id="${jobB}"]`)).toHaveCount(0);
      await expect(op.getByTestId('job-row').filter({ hasText: b.displayName })).toHaveCount(0);
      await op.goto(`/jobs/${jobB}`);
      await expect(op.getByRole('region', { name: 'Este job não existe.' })).toBeVisible();
      await expect(op.getByText(b.displayName)).toHaveCount(0);

      // Admins see both (teams are theirs to manage, not a limit on them).
      const adminView = await api<{ items: { id: number }[] }>(
        page,
        'GET',
        `/api/instances?search=${encodeURIComponent(tag)}`,
      );
      expect(adminView.items.map((item) => item.id).sort()).toEqual([a.id, b.id].sort());

      // Minha conta: a read-only key limited to instance A.
      const keyName = `leitura A ${tag}`;
      await page.goto('/account');
      await expect(page.getByRole('heading', { level: 1, name: 'Minha conta' })).toBeVisible();
      await page.getByLabel('Nome da chave').fill(keyName);
      await page.getByLabel('Limitar esta chave').check();
      await page.getByLabel('Só leitura').check();
      await page.getByRole('checkbox', { name: /^Ler mensagens/ }).check();
      await expect(page.getByRole('checkbox', { name: /^Enviar mensagens/ })).toBeDisabled();
      const keyInstances = page.getByRole('group', { name: 'Instâncias', exact: true });
      await keyInstances.getByLabel('Buscar: Instâncias').fill(a.displayName);
      await keyInstances.getByRole('checkbox', { name: a.displayName }).check();
      await expect(page.getByRole('group', { name: 'Times', exact: true })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'api-key-form');
      await page.getByRole('button', { name: 'Criar chave' }).click();
      const shown = page.getByRole('dialog', { name: `Chave “${keyName}” criada` });
      const key = await shown.getByLabel('Chave de API', { exact: true }).inputValue();
      await shown.getByRole('button', { name: 'Concluído' }).click();
      const keyRow = page.getByTestId('api-key-row').filter({ hasText: keyName });
      await expect(keyRow).toContainText('só leitura');
      await expect(keyRow).toContainText(`instância: ${a.displayName}`);
      await saveScreenshot(page, testInfo, 'api-key-list');

      const headers = { 'X-API-Key': key };
      const seen = await request.get('/api/instances?page_size=200', { headers });
      expect(((await seen.json()) as { items: { id: number }[] }).items.map((i) => i.id)).toEqual([
        a.id,
      ]);
      expect((await request.get(`/api/instances/${b.id}`, { headers })).status()).toBe(404);
      const write = await request.post(`/api/instances/${a.id}/messages`, {
        headers,
        data: { number: '5511987654321', text: 'não deveria sair' },
      });
      expect(write.status()).toBe(403);
      expect(((await write.json()) as { error: string }).error).toBe('api_key_read_only');
    } finally {
      await operatorContext.context.close();
      if (operatorId) await api(page, 'PATCH', `/api/users/${operatorId}`, { is_active: false });
      const teams = await api<{ items: TeamRow[] }>(page, 'GET', '/api/teams?page_size=200');
      for (const team of teams.items.filter((item) => item.name.endsWith(tag))) {
        await api(page, 'DELETE', `/api/teams/${team.id}`);
      }
      await b.cleanup();
      await a.cleanup();
    }
  });
});
