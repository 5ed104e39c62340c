import { expect, test, type Page } from '@playwright/test';

/**
 * The API docs work on a server without internet: every request that leaves loopback is
 * blocked, and /docs (Swagger UI) and /redoc must still render the operations.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function cutTheNetwork(page: Page): Promise<string[]> {
  const blocked: string[] = [];
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname)) {
      await route.continue();
    } else {
      blocked.push(url.href);
      await route.abort('internetdisconnected');
    }
  });
  return blocked;
}

test.describe('API docs offline', () => {
  test('/docs lists the operations with the network cut off', async ({ page }) => {
    const blocked = await cutTheNetwork(page);
    await page.goto('/docs');
    await expect(page.getByRole('heading', { name: /evodash/ }).first()).toBeVisible();
    const operations = page.locator('.opblock-summary-path');
    await expect(operations.first()).toBeVisible();
    expect(await operations.count()).toBeGreaterThan(40);
    await expect(page.getByText('/api/instances/{instance_id}/connect').first()).toBeVisible();
    // The Authorize button of the password flow is there too.
    await expect(page.getByRole('button', { name: /Authorize/ })).toBeVisible();
    expect(blocked).toEqual([]);
  });

  test('/redoc renders the reference with the network cut off', async ({ page }) => {
    const blocked = await cutTheNetwork(page);
    await page.goto('/redoc');
    // ReDoc lays out the whole document before it shows anything: 13-16 s in `make test`,
    // where the backend suites share the 2 cores (over the default 10 s once in CI).
    await expect(page.getByRole('heading', { name: /evodash/ }).first()).toBeVisible({ timeout: 40_000 });
    // Every operation is a section of the page, with its heading.
    await expect(page.getByRole('heading', { name: 'List instances' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Create an instance' })).toBeVisible();
    expect(blocked).toEqual([]);
  });
});
