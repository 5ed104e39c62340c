import { expect, type Page, test } from '@playwright/test';

import { logInWithInstance } from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { followNavLink } from './utils/auth';
import { brazilianNumber, readCsv } from './utils/csv';
import { api } from './utils/evodash-api';
import { openRowMenu } from './utils/menus';
import { saveScreenshot } from './utils/screenshots';
import { sendInbound } from './utils/seed-instance';

interface JobPage {
  items: { id: number; status: string }[];
}

async function goTo(page: Page, link: string) {
  await followNavLink(page, link);
  await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
}

async function jobsDone(page: Page, instanceId: number, count: number) {
  await expect
    .poll(
      async () => {
        const jobs = await api<JobPage>(page, 'GET', `/api/jobs?instance_id=${String(instanceId)}`);
        return jobs.items.filter((job) => job.status === 'succeeded').length;
      },
      // Every 250 ms rather than every second after the first: the jobs end when they end.
      { timeout: 60_000, intervals: [100, 250] },
    )
    .toBe(count);
}

test.describe('reports and the invoice ledger', () => {
  test('the reports show what the simulator sent, and their CSV reads back with accents', async ({
    page,
  }, testInfo) => {
    const { instance, sim, tag } = await logInWithInstance(page, testInfo, {
      name: 'e2e-rep',
      displayName: 'Relatório São João',
    });
    try {
      for (const [from, text] of [
        ['5511987654321', 'Bom dia'],
        ['5511987654321', 'Preço do pão?'],
        ['5521912345678', 'Olá'],
      ]) {
        await sendInbound(page, sim, instance.name, { from, pushName: 'Cliente', type: 'text', text: `${text} (${tag})` });
      }
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Cliente',
        type: 'image',
        caption: `Fatura (${tag})`,
        image: { kind: 'invoice', amount: '80.00' },
      });
      await jobsDone(page, instance.id, 1);

      await goTo(page, 'Relatórios');
      await page.getByLabel('Período', { exact: true }).selectOption({ label: 'Últimos 7 dias' });
      await page.getByLabel('Instância', { exact: true }).selectOption({ label: instance.displayName });
      await expect(page).toHaveURL(new RegExp(`[?&]instance=${String(instance.id)}`));

      // Today: 4 received (3 texts and the image), none sent or blocked.
      const messages = page.getByTestId('report-messages-table');
      const today = messages.locator('tbody tr').filter({ hasText: instance.displayName });
      await expect(today).toHaveCount(1);
      await expect(today.getByRole('cell')).toHaveText([/\d{2}\/\d{2}\/\d{4}/, instance.displayName, '4', '0', '0']);
      await expect(messages.locator('tfoot tr')).toHaveText(/Total\s*4\s*0\s*0/);
      await expect(page.getByRole('img', { name: /4 recebidas, 0 enviadas, 0 bloqueadas/ })).toBeVisible();
      // Jobs: one, succeeded.
      await expect(page.getByTestId('report-jobs-table').locator('tbody tr').first().getByRole('cell').nth(1)).toHaveText('1');
      await expect(page.getByTestId('report-jobs-table').locator('tbody tr').first()).toContainText('100 %');
      // Top senders: the first one sent 3.
      const senders = page.getByTestId('report-senders-table').locator('tbody tr');
      await expect(senders.first()).toHaveText(/\+55 11 98765-4321\s*3/);
      await expect(senders.nth(1)).toHaveText(/\+55 21 91234-5678\s*1/);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'reports');

      // The CSV (`;`, the default in Portuguese) has the same figures and the accents.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Baixar “Mensagens por dia” em CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^evodash-messages-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      const rows = await readCsv(download, ';');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ instance: instance.displayName, received: '4', sent: '0', blocked: '0' });

      const [hours] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Baixar “Horários de pico” em CSV' }).click(),
      ]);
      const perHour = await readCsv(hours, ';');
      expect(perHour).toHaveLength(24);
      expect(perHour.reduce((sum, row) => sum + Number(row.received), 0)).toBe(4);
    } finally {
      await instance.cleanup();
    }
  });

  test('the ledger flags the same boleto twice, totals it, marks it paid and exports R$ as numbers', async ({
    page,
  }, testInfo) => {
    const { instance, sim, tag, username } = await logInWithInstance(page, testInfo, {
      name: 'e2e-led',
      displayName: 'Faturas Conceição',
    });
    try {
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'image',
        caption: `Boleto (${tag})`,
        image: { kind: 'invoice', amount: '1234.56', dueDate: '2026-12-20' },
      });
      await jobsDone(page, instance.id, 1);
      // The same picture again (forwarded by someone else): the same boleto line.
      const jobs = await api<JobPage>(page, 'GET', `/api/jobs?instance_id=${String(instance.id)}`);
      const image = await page.request.get(`/api/jobs/${String(jobs.items[0]?.id)}/image`);
      expect(image.ok()).toBe(true);
      await sendInbound(page, sim, instance.name, {
        from: '5521912345678',
        pushName: 'José',
        type: 'image',
        image: { kind: 'raw', base64: (await image.body()).toString('base64') },
      });
      await jobsDone(page, instance.id, 2);

      await goTo(page, 'Faturas');
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      await page.getByRole('button', { name: 'Filtrar' }).click();
      const rows = page.getByTestId('invoice-row');
      await expect(rows).toHaveCount(2);
      for (const row of await rows.all()) {
        await expect(row).toContainText('R$ 1.234,56');
        await expect(row).toContainText('20/12/2026');
        await expect(row).toContainText('Duplicada');
      }
      await expect(page.getByTestId('invoice-totals')).toHaveText(/R\$\s2\.469,12\s*\(2 faturas\)/);
      await expect(page.getByTestId('invoice-months').locator('tbody tr')).toHaveText([/dez\.? de 2026\s*2\s*R\$\s2\.469,12/]);

      const first = rows.first();
      // A row's actions are in its menu.
      const actions = first.getByRole('button', { name: /^Ações da fatura \d+$/ });
      await openRowMenu(actions, first);
      await first.getByRole('button', { name: /^Marcar a fatura \d+ como paga$/ }).click();
      await expect(first.getByTestId('invoice-status-by')).toContainText(`Paga por ${username} em`);
      await actions.click();
      await expect(first.getByRole('link', { name: /^Abrir a mensagem da fatura/ })).toHaveAttribute('href', /^\/messages\/\d+$/);
      await expectNoSeriousA11yViolations(page);
      await page.keyboard.press('Escape');
      await saveScreenshot(page, testInfo, 'invoices');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Exportar CSV' }).click(),
      ]);
      const csv = await readCsv(download, ';');
      expect(csv).toHaveLength(2);
      expect(csv.map((row) => brazilianNumber(row.amount))).toEqual([1234.56, 1234.56]);
      expect(csv.every((row) => row.instance === instance.displayName && row.duplicate === 'true')).toBe(true);
      expect(csv.map((row) => row.status).sort()).toEqual(['open', 'paid']);
      expect(csv.find((row) => row.status === 'paid')?.status_by).toBe(username);
    } finally {
      await instance.cleanup();
    }
  });
});
