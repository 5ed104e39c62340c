import { expect, type Page, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, flushWebhooks, listServers, otherNameFor, simulator, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';

interface Overview {
  instances_by_status: Partial<Record<string, number>>;
  messages: { last_24h: number };
  latest_messages: { text: string | null }[];
}

/**
 * Data for the dashboard, through the API and the simulator: a server (reused if one is
 * registered at the simulator), an instance connected by a simulated QR scan, and a few
 * messages from contacts. Returns what to clean up.
 */
async function seed(page: Page, sim: { url: string; key: string }, tag: string) {
  const servers = await listServers(page);
  const urls = [otherNameFor(sim.url), sim.url];
  let server = servers.find((candidate) => urls.includes(candidate.base_url));
  const ownServer = !server;
  server ??= await api<{ id: number; name: string; base_url: string }>(
    page,
    'POST',
    '/api/servers',
    { name: `Dashboard E2E ${tag}`, base_url: urls[0], api_key: sim.key },
  );

  const name = `e2e-dash-${tag}`;
  const existing = await api<{ items: { id: number; name: string }[] }>(
    page,
    'GET',
    `/api/instances?search=${name}`,
  );
  for (const old of existing.items.filter((item) => item.name === name)) {
    await api(page, 'DELETE', `/api/instances/${old.id}`);
  }
  const instance = await api<{ id: number }>(page, 'POST', '/api/instances', {
    display_name: `Loja E2E ${tag}`,
    name,
    server_id: server.id,
  });
  await api(page, 'POST', `/api/instances/${instance.id}/connect`, {});
  await simulator(page.request, sim, `/_sim/instances/${name}/scan`, {
    number: '5511912345678',
    profile_name: 'Loja E2E',
  });
  const texts = ['Bom dia! Segue a fatura do mês.', 'Vocês aceitam PIX?', 'Obrigado!'];
  for (const [index, text] of texts.entries()) {
    await simulator(page.request, sim, `/_sim/instances/${name}/messages`, {
      from: `551198765432${index}`,
      push_name: ['Mariana Souza', 'Carlos Lima', 'Beatriz Rocha'][index],
      text: `${text} (${tag})`,
    });
  }
  await flushWebhooks(page.request, sim, name);

  // The webhooks are in: the figures count them.
  await expect
    .poll(async () => {
      const overview = await api<Overview>(page, 'GET', '/api/stats/overview');
      return (overview.instances_by_status.open ?? 0) > 0 && overview.messages.last_24h >= 3;
    })
    .toBe(true);
  return { instanceId: instance.id, name, serverId: ownServer ? server.id : null };
}

test.describe('dashboard', () => {
  test('figures, charts and the latest activity, live; light and dark', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = testInfo.project.name;

    await logInThroughApi(page, username, password);

    const seeded = await seed(page, sim, tag);
    try {
      await page.reload();

      // The gradient cards.
      const summary = page.getByRole('region', { name: 'Resumo' });
      await expect(summary).toBeVisible();
      await expect(page.getByTestId('stat-open')).toHaveText(/^Conectadas\s*[1-9]/);
      await expect(page.getByTestId('stat-instances')).toHaveText(/^Instâncias\s*[1-9]/);
      await expect(page.getByTestId('stat-messages')).toContainText('recebidas');
      await expect(page.getByTestId('stat-messages')).toHaveText(/^Mensagens \(24\s+h\)\s*[1-9]/);
      await expect(page.getByTestId('stat-jobs')).toContainText('em execução');

      // Both charts, drawn (Chart.js loaded on demand) and described.
      const doughnut = page.getByRole('img', { name: /^Gráfico de rosca das instâncias/ });
      const line = page.getByRole('img', { name: /^Gráfico de linhas das mensagens/ });
      await expect(doughnut).toBeVisible();
      await expect(line).toBeVisible();
      await expect(page.locator('canvas')).toHaveCount(2);

      // The latest activity, with links to the instance.
      const recent = page.getByRole('region', { name: 'Instâncias recentes' });
      await expect(recent.getByRole('link', { name: `Loja E2E ${tag}` })).toHaveAttribute(
        'href',
        `/instances/${seeded.instanceId}`,
      );
      const messages = page.getByRole('region', { name: 'Últimas mensagens' });
      await expect(messages).toContainText(`Obrigado! (${tag})`);
      const events = page.getByRole('region', { name: 'Histórico de conexões' });
      await expect(events).toContainText(`Loja E2E ${tag}`);
      await expect(events).toContainText('Conectada');

      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'dashboard-light');

      // Live: a new message shows up without reloading.
      await simulator(page.request, sim, `/_sim/instances/${seeded.name}/messages`, {
        from: '5511987654329',
        push_name: 'João Pedro',
        text: `Chegou agora (${tag})`,
      });
      await expect(messages).toContainText(`Chegou agora (${tag})`, { timeout: 20_000 });

      // Dark theme.
      await page.getByRole('button', { name: /^Tema: / }).click();
      await page.getByRole('button', { name: 'Escuro' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
      await expect(page.locator('canvas')).toHaveCount(2);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'dashboard-dark');
    } finally {
      if (seeded.serverId !== null) {
        const query = 'remove_instances=true&force=true';
        await api(page, 'DELETE', `/api/servers/${seeded.serverId}?${query}`);
      } else {
        await api(page, 'DELETE', `/api/instances/${seeded.instanceId}`);
      }
    }
  });
});
