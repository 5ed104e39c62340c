import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { api, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { type SeededInstance, seedInstance } from './utils/seed-instance';

const NUMBER = '+5511987654321';

test.describe('templates journey', () => {
  test('create a template, preview it, apply it to three instances; then delete them in bulk with the typed count', async ({
    page,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'one desktop run (the phone layout is shot below)');
    test.setTimeout(180_000);
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = Date.now().toString(36);
    await logInThroughApi(page, username, password);

    const instances: SeededInstance[] = [];
    for (const n of [1, 2, 3]) {
      instances.push(
        await seedInstance(page, sim, {
          name: `tpl-${tag}-${String(n)}`,
          displayName: `Modelo ${tag} ${String(n)}`,
        }),
      );
    }
    const templateName = `Lojas ${tag}`;

    // Create the template from the Modelos page.
    await page.goto('/templates');
    await expect(page.getByRole('heading', { level: 1, name: 'Modelos' })).toBeVisible();
    await page.getByRole('button', { name: 'Novo modelo' }).click();
    const form = page.getByRole('dialog', { name: 'Novo modelo' });
    await form.getByLabel('Nome', { exact: true }).fill(templateName);
    await form.getByLabel('Recusar chamadas').selectOption('on');
    await form.getByLabel('Substituir a lista de números permitidos de cada instância').check();
    await form.getByLabel('Números (um por linha)').fill('(11) 98765-4321');
    await form.getByRole('button', { name: 'Salvar modelo' }).click();
    await expect(form).toBeHidden();
    const card = page.getByRole('region', { name: templateName });
    await expect(card).toContainText('1 ajuste do Evolution');
    await expect(card).toContainText('1 número permitido');

    // Preview: exactly what would change on each instance.
    await card.getByRole('button', { name: 'Aplicar…' }).click();
    const dialog = page.getByRole('dialog', { name: `Aplicar ${templateName}` });
    await dialog.getByLabel('Buscar instâncias').fill(tag);
    for (const instance of instances) await dialog.getByLabel(instance.displayName).check();
    await dialog.getByRole('button', { name: 'Pré-visualizar (3)' }).click();
    const preview = dialog.getByRole('table', { name: 'O que muda em cada instância' });
    await expect(preview.getByText('Recusar chamadas: desligado → ligado')).toHaveCount(3);
    await expect(preview.getByText(`Números adicionados: ${NUMBER}`)).toHaveCount(3);
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'template-preview');

    // Apply: a result per instance, and the simulator holds the new settings.
    await dialog.getByRole('button', { name: 'Aplicar a 3 instâncias' }).click();
    await expect(dialog.getByText('Concluído: 3 com sucesso, 0 com erro.')).toBeVisible({
      timeout: 30_000,
    });
    await expect(dialog.locator('tr[data-state="ok"]')).toHaveCount(3);
    await saveScreenshot(page, testInfo, 'template-results');
    for (const instance of instances) {
      const response = await page.request.get(`${sim.url}/settings/find/${instance.name}`, {
        headers: { apikey: sim.key },
      });
      expect(((await response.json()) as { rejectCall: boolean }).rejectCall).toBe(true);
      const allowed = await api<{ numbers: string[] }>(
        page,
        'GET',
        `/api/instances/${String(instance.id)}/allowed-numbers`,
      );
      expect(allowed.numbers).toEqual([NUMBER]);
    }
    await dialog.getByRole('button', { name: 'Fechar' }).last().click();
    await expect(card).toContainText('Aplicado a 3 instâncias.');

    // The list shows that they follow the template.
    await page.goto(`/instances?q=${tag}`);
    await expect(page.getByTestId('drift-badge').filter({ visible: true })).toHaveCount(3);
    await expect(
      page.getByText(`Conforme ${templateName}`).filter({ visible: true }).first(),
    ).toBeVisible();

    // Bulk delete: the typed count is required.
    await page.getByLabel('Selecionar todas desta página').check();
    await page.getByRole('button', { name: 'Mais ações' }).click();
    await page.getByRole('button', { name: 'Excluir selecionadas…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Excluir 3 instâncias' });
    const submit = confirm.getByRole('button', { name: 'Excluir 3 instâncias' });
    const typed = confirm.getByLabel('Para confirmar, digite o número de instâncias (3)');
    await typed.fill('2');
    await expect(submit).toBeDisabled();
    await typed.fill('3');
    await saveScreenshot(page, testInfo, 'bulk-delete-confirm');
    await submit.click();
    const results = page.getByRole('dialog', { name: 'Exclusão em lote' });
    await expect(results.getByText('Concluído: 3 com sucesso, 0 com erro.')).toBeVisible({
      timeout: 30_000,
    });
    await results.getByRole('button', { name: 'Fechar' }).last().click();
    await expect(page.getByText('Nenhuma instância encontrada')).toBeVisible();
    const state = await page.request.get(`${sim.url}/_sim/state`, { headers: { apikey: sim.key } });
    const names = ((await state.json()) as { instances: { name: string }[] }).instances.map(
      (i) => i.name,
    );
    for (const instance of instances) expect(names).not.toContain(instance.name);

    // The Modelos page on a phone.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('/templates');
    await expect(page.getByRole('region', { name: templateName })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'templates-375');
  });
});
