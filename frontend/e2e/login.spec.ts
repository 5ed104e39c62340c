import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logIn, navigationDrawer, openNavigation } from './utils/auth';
import { saveScreenshot } from './utils/screenshots';

// @phone: the sidebar is an offcanvas on phones (see phone-pages.spec.ts).
test.describe('login journey', { tag: '@phone' }, () => {
  test('log in, see the dashboard, switch language, toggle theme, log out', async ({
    page,
  }, testInfo) => {
    const { username, password } = adminCredentials();

    // A visitor is sent to the login page, in Portuguese.
    await page.goto('/instances');
    await expect(page).toHaveURL(/\/login\?next=%2Finstances$/);
    await expect(page.getByRole('heading', { name: 'Entrar' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'login-light');

    // Logging in returns to where they were going.
    await logIn(page, username, password);
    await expect(page).toHaveURL(/\/instances$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Instâncias' })).toBeVisible();

    // The dashboard, through the sidebar (an offcanvas on phones).
    await openNavigation(page);
    await saveScreenshot(page, testInfo, 'navigation');
    await page
      .getByRole('navigation', { name: 'Navegação principal' })
      .getByRole('link', { name: 'Dashboard' })
      .click();
    // The drawer slides away before the axe check below switches reduced motion
    // (followNavLink says why).
    await expect(navigationDrawer(page)).toHaveCount(0);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    await expect(page.getByRole('button', { name: `Menu do usuário: ${username}` })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'login-journey-light');

    // Switch the language to English.
    await page.getByRole('button', { name: 'Idioma: Português (Brasil)' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByText('Overview of instances, messages and jobs.')).toBeVisible();

    // Toggle the dark theme.
    await page.getByRole('button', { name: /^Theme: / }).click();
    await page.getByRole('button', { name: 'Dark' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'login-journey-dark');

    // Both choices survive a reload.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');

    // Log out: back to the login page, and the app is closed again.
    await page.getByRole('button', { name: `User menu: ${username}` }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'login-dark');
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('wrong credentials are explained on the login page', async ({ page }, testInfo) => {
    await page.goto('/login');
    // A user that does not exist: the admin's throttle counter stays untouched.
    await logIn(page, `nobody-${Date.now()}`, 'not-the-password');
    await expect(page.getByRole('alert')).toContainText('Usuário ou senha incorretos.');
    await expect(page.getByRole('button', { name: 'Entrar' })).toBeEnabled();
    await saveScreenshot(page, testInfo, 'login-error');
  });
});
