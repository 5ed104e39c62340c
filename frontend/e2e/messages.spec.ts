import { expect, type Page, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, followNavLink, logInThroughApi } from './utils/auth';
import { api, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance, sendInbound } from './utils/seed-instance';

/** The secondary filters fold behind "Mais filtros" on phones. */
async function showMoreFilters(page: Page) {
  const more = page.getByRole('button', { name: /^Mais filtros/ });
  if (await more.isVisible()) await more.click();
}

// @phone: the secondary filters fold behind "Mais filtros" on phones.
test.describe('messages journey', { tag: '@phone' }, () => {
  test('live list with the new-messages pill, filters in the URL, detail with raw payload', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;

    await logInThroughApi(page, username, password);

    const instance = await seedInstance(page, sim, {
      name: `e2e-msg-${tag}`,
      displayName: `Mensagens E2E ${tag}`,
    });
    try {
      await followNavLink(page, 'Mensagens');
      await expect(page.getByRole('heading', { level: 1, name: 'Mensagens' })).toBeVisible();

      // The allow-list is explained; then only this instance's messages: none yet.
      await page.getByText('Sobre remetentes bloqueados').click();
      await expect(page.getByText(/todos os números são permitidos/).first()).toBeVisible();
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      await expect(page).toHaveURL(new RegExp(`[?&]instance=${instance.id}`));
      await expect(
        page.getByRole('region', { name: 'Nenhuma mensagem com esses filtros' }),
      ).toBeVisible();
      await expectNoSeriousA11yViolations(page);

      // The first message arrives live into the empty list.
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'text',
        text: `Olá (${tag})`,
      });
      const rows = page.getByTestId('message-row');
      await expect(rows).toHaveCount(1, { timeout: 20_000 });
      await expect(rows.first()).toContainText(`Olá (${tag})`);
      await expect(rows.first()).toContainText('Maria');
      await expect(rows.first()).toContainText('+55 11 98765-4321');
      await expect(rows.first()).toContainText('Recebida');
      await expect(rows.first()).toContainText(instance.displayName);

      // The next one waits behind the pill instead of moving the list.
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'text',
        text: `Tem boleto novo? (${tag})`,
      });
      const pill = page.getByRole('button', { name: '1 nova mensagem' });
      await expect(pill).toBeVisible({ timeout: 20_000 });
      await expect(rows).toHaveCount(1);
      await saveScreenshot(page, testInfo, 'messages-pill');
      await pill.click();
      await expect(rows).toHaveCount(2);
      await expect(rows.first()).toContainText(`Tem boleto novo? (${tag})`);
      await expect(pill).toBeHidden();

      // A number outside the allow-list is stored as blocked.
      await api(page, 'PUT', `/api/instances/${instance.id}/allowed-numbers`, {
        numbers: ['+5511987654321'],
      });
      await sendInbound(page, sim, instance.name, {
        from: '5521998887766',
        pushName: 'Pedro',
        type: 'text',
        text: `Quero falar com alguém (${tag})`,
      });
      await page.getByRole('button', { name: '1 nova mensagem' }).click();
      const blocked = rows.filter({ hasText: 'Pedro' });
      await expect(blocked).toContainText('Bloqueada');

      // Filters live in the URL: blocked only, then a search.
      await showMoreFilters(page);
      await page.getByLabel('Permissão').selectOption({ label: 'Só bloqueados' });
      await expect(page).toHaveURL(/[?&]status=blocked/);
      await expect(rows).toHaveCount(1);
      await page.getByLabel('Permissão').selectOption({ label: 'Permitidos e bloqueados' });
      await page.getByLabel('Buscar').fill('boleto');
      await expect(page).toHaveURL(/[?&]q=boleto/);
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText('Tem boleto novo?');
      await page.reload();
      await expect(page.getByLabel('Buscar')).toHaveValue('boleto');
      await expect(rows).toHaveCount(1);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'messages-list');

      // The detail drawer, with the raw payload for admins; closing keeps the filters.
      await rows.first().getByRole('link').click();
      const drawer = page.getByRole('dialog', { name: /^Mensagem #\d+/ });
      await expect(drawer).toBeVisible();
      await expect(drawer).toContainText(`Tem boleto novo? (${tag})`);
      await expect(drawer).toContainText('Permitido');
      await drawer.getByRole('button', { name: 'Mostrar o payload bruto' }).click();
      await expect(drawer.locator('pre')).toContainText('"pushName": "Maria"');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'messages-detail');
      await drawer.getByRole('button', { name: 'Fechar' }).click();
      await expect(drawer).toBeHidden();
      await expect(page).toHaveURL(/\/messages\?.*q=boleto/);

      // Dark theme.
      await page.getByLabel('Buscar').fill('');
      await expect(rows).toHaveCount(3);
      await page.getByRole('button', { name: /^Tema: / }).click();
      await page.getByRole('button', { name: 'Escuro' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'messages-dark');
    } finally {
      await instance.cleanup();
    }
  });
});
