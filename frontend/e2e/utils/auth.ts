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

/**
 * Logs in through the API (the session cookie lands in the page's browser context) and
 * opens the dashboard: for journeys whose subject is not the login form, which
 * login.spec.ts drives on both projects. A second of typing and a page load less each.
 */
export async function logInThroughApi(page: Page, username: string, password: string) {
  const response = await page.request.post('/api/auth/login', { data: { username, password } });
  expect(response.ok(), `POST /api/auth/login answered ${String(response.status())}`).toBe(true);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
}

/** Opens the sidebar on phones (it is always visible from 992 px up). */
export async function openNavigation(page: Page, openLabel = 'Abrir menu') {
  const toggle = page.getByRole('button', { name: openLabel });
  if (await toggle.isVisible()) {
    await toggle.click();
    await expect(page.getByRole('dialog')).toBeVisible();
  }
}

/** The phone's navigation drawer (absent from 992 px up, where the sidebar is inline). */
export function navigationDrawer(page: Page) {
  return page
    .getByRole('dialog')
    .filter({ has: page.getByRole('navigation', { name: 'Navegação principal' }) });
}

/**
 * Follows a sidebar link (through the drawer on phones) and waits until the drawer has
 * gone, so that the next step acts on the page and not on a drawer still sliding away.
 * (Cut short midway, by a switch of reduced motion say, the slide-out never ends: see
 * expectNoSeriousA11yViolations, which waits for it, and the phone tour's test of that.)
 */
export async function followNavLink(page: Page, link: string) {
  await openNavigation(page);
  await page.getByRole('navigation', { name: 'Navegação principal' }).getByRole('link', { name: link }).click();
  await expect(navigationDrawer(page)).toHaveCount(0);
}
