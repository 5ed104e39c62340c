import { expect, type Page, test } from '@playwright/test';

/** The admin the journeys log in as (created by whoever starts the backend). */
export function adminCredentials() {
  const username = process.env.E2E_ADMIN_USER ?? '';
  const password = process.env.E2E_ADMIN_PASSWORD ?? '';
  test.skip(!username || !password, 'Set E2E_ADMIN_USER and E2E_ADMIN_PASSWORD');
  return { username, password };
}

/** Fills and submits the (Portuguese) login form. */
export async function logIn(page: Page, username: string, password: string) {
  await page.getByLabel('Usuário').fill(username);
  await page.getByLabel('Senha', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** Opens the sidebar on phones (it is always visible from 992 px up). */
export async function openNavigation(page: Page, openLabel = 'Abrir menu') {
  const toggle = page.getByRole('button', { name: openLabel });
  if (await toggle.isVisible()) {
    await toggle.click();
    await expect(page.getByRole('dialog')).toBeVisible();
  }
}
