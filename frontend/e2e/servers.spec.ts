import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, followNavLink, logInThroughApi } from './utils/auth';
import { api, listServers, otherNameFor, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';

test.describe('servers journey', () => {
  test('add a server after testing it, edit it, test it, delete it with its instances', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const name = `Simulador E2E ${testInfo.project.name}`;
    const renamed = `${name} (editado)`;

    await logInThroughApi(page, username, password);

    // Another journey may keep a server at the simulator's URL: use its other name then.
    // A server left by an earlier failed attempt of this test is removed first.
    for (const server of await listServers(page)) {
      if (server.name === name || server.name === renamed) {
        await api(page, 'DELETE', `/api/servers/${server.id}?remove_instances=true&force=true`);
      }
    }
    const taken = new Set((await listServers(page)).map((server) => server.base_url));
    const url = [sim.url, otherNameFor(sim.url)].find((candidate) => !taken.has(candidate));
    expect(url, 'a free URL for the simulator').toBeDefined();

    await followNavLink(page, 'Servidores');
    await expect(page.getByRole('heading', { level: 1, name: 'Servidores' })).toBeVisible();

    // Add: validation first, then "Testar conexão" shows the simulator's versions.
    await page.getByRole('button', { name: 'Adicionar servidor' }).first().click();
    const addDialog = page.getByRole('dialog', { name: 'Adicionar servidor Evolution' });
    await expect(addDialog).toBeVisible();
    await addDialog.getByRole('button', { name: 'Salvar' }).click();
    await expect(addDialog.getByText('Informe um nome.')).toBeVisible();

    await addDialog.getByLabel('Nome').fill(name);
    await addDialog.getByLabel('URL da Evolution API').fill(url!);
    await addDialog.getByLabel('Chave global da API').fill('not-the-key');
    await addDialog.getByRole('button', { name: 'Testar conexão' }).click();
    await expect(addDialog.getByTestId('test-result')).toContainText(
      'O servidor respondeu, mas recusou a chave',
    );

    await addDialog.getByLabel('Chave global da API').fill(sim.key);
    await addDialog.getByRole('button', { name: 'Testar conexão' }).click();
    const result = addDialog.getByTestId('test-result');
    await expect(result).toContainText('Conexão bem-sucedida');
    await expect(result).toContainText('Versão da Evolution API2.3.6');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'servers-add');

    await addDialog.getByRole('button', { name: 'Salvar' }).click();
    await expect(addDialog).toBeHidden();
    await expect(page.getByText(`Servidor ${name} adicionado.`)).toBeVisible();

    // In the list, with what the check after saving saw.
    const table = page.getByRole('table', { name: 'Servidores Evolution' });
    const row = table.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText(url!);
    await expect(row).toContainText('Acessível');
    await expect(row).toContainText('2.3.6');
    await expect(row).toContainText(`•••• ${sim.key.slice(-4)}`);

    // Edit the name; an empty key keeps the stored one.
    await page.getByRole('button', { name: `Editar ${name}` }).click();
    const editDialog = page.getByRole('dialog', { name: `Editar ${name}` });
    await expect(editDialog.getByLabel('Chave global da API')).toHaveValue('');
    await editDialog.getByLabel('Nome').fill(renamed);
    await editDialog.getByRole('button', { name: 'Salvar' }).click();
    await expect(editDialog).toBeHidden();
    await expect(page.getByText(`Servidor ${renamed} atualizado.`)).toBeVisible();
    const editedRow = table.getByRole('row').filter({ hasText: renamed });
    await expect(editedRow).toContainText(`•••• ${sim.key.slice(-4)}`);

    // Test the saved server from its row: the stored key still works.
    await page.getByRole('button', { name: `Testar conexão com ${renamed}` }).click();
    await expect(page.getByRole('heading', { name: `Teste de conexão: ${renamed}` })).toBeVisible();
    await expect(page.getByTestId('test-result')).toContainText('Conexão bem-sucedida');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'servers-light');
    await page.getByRole('button', { name: /^Tema: / }).click();
    await page.getByRole('button', { name: 'Escuro' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'servers-dark');

    // Give it an instance: deleting now needs "delete the instances too".
    const servers = await listServers(page);
    const serverId = servers.find((server) => server.name === renamed)!.id;
    await api(page, 'POST', '/api/instances', {
      display_name: 'Instância do teste de servidores',
      name: `e2e-srv-${testInfo.project.name}`,
      server_id: serverId,
    });
    await page.reload();

    await page.getByRole('button', { name: `Excluir ${renamed}` }).click();
    const deleteDialog = page.getByRole('dialog', { name: 'Excluir servidor' });
    await expect(deleteDialog).toContainText(`Excluir o servidor ${renamed}?`);
    await deleteDialog.getByRole('button', { name: 'Excluir servidor' }).click();
    await expect(deleteDialog.getByRole('alert')).toContainText(
      'Este servidor ainda tem instâncias',
    );
    await expectNoSeriousA11yViolations(page);
    await deleteDialog.getByRole('button', { name: 'Excluir também as instâncias' }).click();
    await expect(deleteDialog).toBeHidden();
    await expect(page.getByText(`Servidor ${renamed} excluído.`)).toBeVisible();
    await expect(table.getByRole('row').filter({ hasText: renamed })).toHaveCount(0);
  });
});
