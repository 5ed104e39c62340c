import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance, sendInbound } from './utils/seed-instance';

test.describe('message recovery journey', () => {
  test('messages Evolution stored but never posted are recovered from the instance page', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;

    await logInThroughApi(page, username, password);

    const instance = await seedInstance(page, sim, {
      name: `e2e-rec-${tag}`,
      displayName: `Recuperação E2E ${tag}`,
    });
    try {
      await page.goto(`/instances/${instance.id}`);
      await expect(page.getByRole('heading', { level: 1, name: instance.displayName })).toBeVisible();
      const card = page.getByTestId('recovery-card');
      // Connecting started a pass by itself: nothing to find yet.
      await expect(card.getByTestId('recovery-run').first()).toContainText('Ao reconectar', {
        timeout: 30_000,
      });
      await expect(card.getByTestId('recovery-run').first()).toContainText('Concluída');

      // Three messages reach Evolution, whose webhooks never reach evodash.
      for (const n of [1, 2, 3]) {
        await sendInbound(page, sim, instance.name, {
          from: '5511987654321',
          pushName: 'Maria',
          type: 'text',
          text: `Perdida ${n} (${tag})`,
          deliverWebhook: false,
        });
      }
      await card.getByRole('button', { name: 'Recuperar mensagens' }).click();
      const latest = card.getByTestId('recovery-run').first();
      await expect(latest).toContainText('A pedido');
      await expect(latest.getByTestId('recovery-summary')).toHaveText('3 encontradas, 3 novas', {
        timeout: 20_000,
      });
      await expect(latest).toContainText('Concluída');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instance-recovery');

      // They are stored, once: a second pass finds them and adds nothing.
      await page.getByRole('tab', { name: 'Mensagens' }).click();
      await expect(page.getByText(`Perdida 3 (${tag})`)).toBeVisible();
      await page.getByRole('tab', { name: 'Visão geral' }).click();
      await card.getByRole('button', { name: 'Recuperar mensagens' }).click();
      await expect(card.getByTestId('recovery-summary').first()).toHaveText(
        '3 encontradas, 0 novas',
        { timeout: 20_000 },
      );
    } finally {
      await instance.cleanup();
    }
  });
});
