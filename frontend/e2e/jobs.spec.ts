import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, followNavLink, logInThroughApi } from './utils/auth';
import { api, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance, sendInbound } from './utils/seed-instance';

interface JobPage {
  items: { id: number; status: string; message_id: number | null }[];
}

test.describe('jobs journey', () => {
  test('an invoice image becomes a job: list with counts, detail with R$ 123,45', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;

    await logInThroughApi(page, username, password);

    const instance = await seedInstance(page, sim, {
      name: `e2e-jobs-${tag}`,
      displayName: `Jobs E2E ${tag}`,
    });
    try {
      await sendInbound(page, sim, instance.name, {
        from: '5511987654321',
        pushName: 'Maria',
        type: 'image',
        caption: `Fatura (${tag})`,
        image: { kind: 'invoice', amount: '123.45', dueDate: '2026-12-20' },
      });

      // The embedded worker picks it up; wait until it is done through the API.
      let jobId = 0;
      await expect
        .poll(
          async () => {
            const jobs = await api<JobPage>(page, 'GET', `/api/jobs?instance_id=${instance.id}`);
            jobId = jobs.items[0]?.id ?? 0;
            return jobs.items[0]?.status ?? 'none';
          },
          // Every 250 ms rather than every second after the first: the job ends when it ends.
          { timeout: 60_000, intervals: [100, 250] },
        )
        .toMatch(/succeeded|failed/);

      await followNavLink(page, 'Jobs');
      await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();

      // Status chips with counts; the instance filter keeps to this journey's job.
      const chips = page.getByRole('group', { name: 'Situação' });
      await expect(chips.getByRole('button', { name: /^Concluídos\s*[1-9]/ })).toBeVisible();
      await page.getByLabel('Instância').selectOption({ label: instance.displayName });
      await expect(page).toHaveURL(new RegExp(`[?&]instance=${instance.id}`));
      await chips.getByRole('button', { name: /^Concluídos/ }).click();
      await expect(page).toHaveURL(/[?&]status=succeeded/);
      const rows = page.getByTestId('job-row');
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText(`Job #${jobId}`);
      await expect(rows.first()).toContainText('Concluído');
      await expect(rows.first().getByRole('img')).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'jobs-list');

      // The detail: image, extracted fields, copy, sources.
      await rows.first().getByRole('link').click();
      await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
      await expect(page.getByRole('heading', { level: 1, name: `Job #${jobId}` })).toBeVisible();
      const image = page.getByRole('img', { name: `Imagem recebida no job #${jobId}` });
      await expect(image).toBeVisible();
      await expect
        .poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBeGreaterThan(0);
      const extracted = page.getByRole('region', { name: 'Dados extraídos' });
      await expect(extracted).toContainText('R$ 123,45');
      await expect(extracted).toContainText('20/12/2026');
      await expect(page.getByRole('button', { name: 'Processar de novo' })).toBeVisible();
      await expect(page.getByRole('link', { name: /^Ver a mensagem #\d+$/ })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'jobs-detail');

      // Dark theme.
      await page.getByRole('button', { name: /^Tema: / }).click();
      await page.getByRole('button', { name: 'Escuro' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'jobs-detail-dark');

      // Run it again: the job goes back to the queue and finishes again, live.
      await page.getByRole('button', { name: 'Processar de novo' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText(
        /Pendente|Em execução|Concluído/,
      );
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Concluído', {
        timeout: 60_000,
      });
      await expect(extracted).toContainText('R$ 123,45');
    } finally {
      await instance.cleanup();
    }
  });
});
