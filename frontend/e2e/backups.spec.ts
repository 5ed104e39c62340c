import { readFileSync } from 'node:fs';

import { expect, test } from '@playwright/test';

import { logInWithInstance } from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { followNavLink } from './utils/auth';
import { api } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { sendInbound } from './utils/seed-instance';

const PASSPHRASE = 'cavalo correto bateria grampo';

test.describe('backups and data-subject requests', () => {
  test('export, preview the import (all unchanged), apply it; a wrong passphrase changes nothing', async ({
    page,
  }, testInfo) => {
    const { instance } = await logInWithInstance(page, testInfo, { name: 'e2e-bak', displayName: 'Backup' });
    try {
      const instances = await api<{ total: number }>(page, 'GET', '/api/instances?page_size=1');
      await followNavLink(page, 'Backups e LGPD');
      await expect(page.getByRole('heading', { level: 1, name: 'Backups e LGPD' })).toBeVisible();
      await expect(page.getByTestId('backup-last')).toBeVisible();

      await page.getByLabel('Frase-senha', { exact: true }).fill(PASSPHRASE);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Baixar backup' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^evodash-backup-\d{8}-\d{6}\.json$/);
      const file = await download.path();
      const backup = JSON.parse(readFileSync(file, 'utf-8')) as { instances: { name: string }[] };
      expect(backup.instances.map((item) => item.name)).toContain(instance.name);
      await expect(page.getByText(/^Backup baixado: evodash-backup-/)).toBeVisible();

      const importCard = page.getByRole('region', { name: 'Importar' });
      await importCard.getByLabel('Arquivo de backup (.json)').setInputFiles(file);
      await importCard.getByLabel('Frase-senha do backup').fill('not the passphrase');
      await importCard.getByRole('button', { name: 'Ver o que vai mudar' }).click();
      await expect(importCard.getByRole('alert')).toBeVisible();
      await expect(importCard.getByTestId('import-preview')).toHaveCount(0);

      await importCard.getByLabel('Frase-senha do backup').fill(PASSPHRASE);
      await importCard.getByRole('button', { name: 'Ver o que vai mudar' }).click();
      const preview = importCard.getByTestId('import-preview');
      await expect(preview).toBeVisible();
      // The database is what was exported: everything unchanged.
      await expect(preview.getByRole('row', { name: /^Instâncias/ }).getByRole('cell')).toHaveText([
        '0',
        '0',
        String(instances.total),
      ]);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'backups-preview');

      await importCard.getByRole('button', { name: 'Aplicar' }).click();
      const applied = importCard.getByTestId('import-applied');
      await expect(applied).toContainText('Backup importado');
      await expect(applied.getByRole('row', { name: /^Instâncias/ }).getByRole('cell')).toHaveText([
        '0',
        '0',
        String(instances.total),
      ]);
    } finally {
      await instance.cleanup();
    }
  });

  test('a data subject’s messages download as a ZIP, then are erased after typing the number', async ({
    page,
  }, testInfo) => {
    // A number of its own per run: erasing it touches nothing else.
    const phone = `55119${String(Date.now()).slice(-8)}`;
    const { instance, sim, tag } = await logInWithInstance(page, testInfo, { name: 'e2e-lgpd', displayName: 'LGPD' });
    try {
      await sendInbound(page, sim, instance.name, { from: phone, pushName: 'Titular', type: 'text', text: `Meus dados (${tag})` });
      // Delivered is not yet stored: the backend acknowledges a webhook, then applies it.
      await expect
        .poll(async () => (await api<{ items: unknown[] }>(page, 'GET', `/api/messages?sender=${phone}`)).items)
        .toHaveLength(1);

      await page.goto('/backups');
      await expect(page.getByRole('heading', { level: 1, name: 'Backups e LGPD' })).toBeVisible();
      await page.getByLabel('Número de telefone').fill(`+${phone}`);
      const [zip] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Exportar ZIP' }).click(),
      ]);
      expect(zip.suggestedFilename()).toMatch(/\.zip$/);
      expect(readFileSync(await zip.path()).subarray(0, 2).toString()).toBe('PK');

      await page.getByRole('button', { name: 'Apagar dados…' }).click();
      const dialog = page.getByRole('dialog');
      const confirm = dialog.getByRole('button', { name: 'Apagar para sempre' });
      await expect(confirm).toBeDisabled();
      await dialog.getByLabel('Digite o número de novo para confirmar').fill(phone);
      await expect(confirm).toBeEnabled();
      await saveScreenshot(page, testInfo, 'privacy-erase');
      await confirm.click();
      await expect(page.getByText(/^Dados de \+\d+ apagados: 1 mensagens/)).toBeVisible();
      const after = await api<{ items: unknown[] }>(page, 'GET', `/api/messages?sender=${phone}`);
      expect(after.items).toHaveLength(0);
      await expectNoSeriousA11yViolations(page);
    } finally {
      await instance.cleanup();
    }
  });
});
