import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, simulator, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance } from './utils/seed-instance';

test.describe('uptime journey', () => {
  test('a dropped and reconnected number shows its disconnect, time to reconnect and timeline', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;

    await logInThroughApi(page, username, password);

    const instance = await seedInstance(page, sim, {
      name: `e2e-up-${tag}`,
      displayName: `Disponibilidade E2E ${tag}`,
    });
    try {
      // The status follows webhooks; a sync asks the simulator at once (a busy machine can
      // deliver them late).
      const sync = () => api(page, 'POST', `/api/instances/${instance.id}/sync`);
      await sync();
      await page.goto(`/instances/${instance.id}`);
      const status = page.getByTestId('instance-status');
      await expect(status).toHaveText('Conectada', { timeout: 20_000 });

      // WhatsApp logs the number out (a terminal reason): it is down until scanned again.
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/drop`, { reason: 401 });
      await sync();
      await expect(status).toHaveText('Desconectada', { timeout: 20_000 });
      await api(page, 'POST', `/api/instances/${instance.id}/connect`, {});
      await simulator(page.request, sim, `/_sim/instances/${instance.name}/scan`, {
        number: '5511912345678',
        profileName: instance.displayName,
      });
      await sync();
      await expect(status).toHaveText('Conectada', { timeout: 20_000 });

      // The figures come from the connection history: one disconnect, reconnected.
      await page.reload();
      const card = page.getByTestId('uptime-card');
      const day = card.getByTestId('uptime-24h');
      await expect(day).toContainText('1 queda');
      await expect(day).toContainText('reconexão média:');
      await expect(day).toContainText(/\d+(,\d+)?%/);
      await expect(card.getByTestId('uptime-30d')).toContainText('1 queda');
      const chart = card.getByRole('img', { name: /^Linha do tempo da conexão \(Últimos 7 dias\)/ });
      await expect(chart).toBeVisible();
      await card.getByRole('button', { name: '24 h' }).click();
      await expect(
        card.getByRole('img', { name: /^Linha do tempo da conexão \(Últimas 24 horas\)/ }),
      ).toBeVisible();
      await expect(card.getByRole('button', { name: '24 h' })).toHaveAttribute('aria-pressed', 'true');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instance-uptime');

      // The list shows each instance's 7-day uptime.
      await page.goto(`/instances?search=${encodeURIComponent(instance.name)}`);
      await expect(page.getByTestId('uptime-cell').filter({ visible: true }).first()).toHaveText(
        /^\d+(,\d+)?%$/,
      );
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instances-uptime');

      // The dashboard shows the fleet's uptime and the worst instances.
      await page.goto('/');
      const fleet = page.getByRole('region', { name: 'Disponibilidade da frota' });
      await expect(fleet.getByTestId('fleet-uptime-24h')).toContainText(/\d+(,\d+)?%/);
      await expect(fleet.getByRole('heading', { name: 'Menor disponibilidade (7 dias)' })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'dashboard-uptime');
    } finally {
      await instance.cleanup();
    }
  });
});
