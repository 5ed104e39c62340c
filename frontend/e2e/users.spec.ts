import { expect, test } from '@playwright/test';

import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, followNavLink, logIn, logInThroughApi } from './utils/auth';
import { openRowMenu } from './utils/menus';
import { saveScreenshot } from './utils/screenshots';

test.describe('users journey', () => {
  test('create a user with a password shown once, deactivate them, read the audit log', async ({
    page,
    browser,
  }, testInfo) => {
    const { username, password } = adminCredentials();
    const newUser = `e2e-${testInfo.project.name}-${Date.now().toString(36)}`;

    await logInThroughApi(page, username, password);
    await followNavLink(page, 'Usuários');
    await expect(page.getByRole('heading', { level: 1, name: 'Usuários' })).toBeVisible();
    const self = page.locator(`[data-testid="user-row"][data-username="${username}"]`);
    await expect(self).toContainText('você');
    await expectNoSeriousA11yViolations(page);

    // Create, with the password left to the server: shown once, copyable.
    await page.getByRole('button', { name: 'Novo usuário' }).click();
    const dialog = page.getByRole('dialog', { name: 'Novo usuário' });
    await dialog.getByLabel('Usuário').fill(newUser);
    await dialog.getByLabel('Papel').selectOption({ label: 'Operador' });
    await expectNoSeriousA11yViolations(page);
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();
    const created = page.getByRole('dialog', { name: `Usuário ${newUser} criado` });
    const secret = created.getByLabel('Senha gerada', { exact: true });
    await expect(secret).not.toHaveValue('');
    const generated = await secret.inputValue();
    expect(generated.length).toBeGreaterThanOrEqual(12);
    await expect(created).toContainText('Mostrado só esta vez');
    await expect(created.getByRole('button', { name: 'Copiar: Senha gerada' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'users-created');
    await created.getByRole('button', { name: 'Concluído' }).click();
    await expect(created).toBeHidden();
    await expect(page.getByText(generated)).toHaveCount(0);

    // The password works: the new operator can log in (in another browser context).
    const other = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const otherPage = await other.newPage();
    await otherPage.goto('/login');
    await logIn(otherPage, newUser, generated);
    await expect(otherPage.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    // Operators do not see Usuários.
    await otherPage.goto('/users');
    await expect(otherPage.getByRole('region', { name: 'Acesso restrito' })).toBeVisible();
    await other.close();

    // Deactivate.
    await page.getByLabel('Buscar usuários').fill(newUser);
    const row = page.locator(`[data-testid="user-row"][data-username="${newUser}"]`);
    await expect(page.getByTestId('user-row')).toHaveCount(1);
    await expect(row).toContainText('Operador');
    await expect(row).toContainText('Ativo');
    await openRowMenu(row.getByRole('button', { name: `Ações para ${newUser}` }), row);
    await row.getByRole('button', { name: 'Desativar' }).click();
    const confirm = page.getByRole('dialog', { name: `Desativar ${newUser}?` });
    await confirm.getByRole('button', { name: 'Desativar' }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toContainText('Desativado');
    await saveScreenshot(page, testInfo, 'users-list');

    // The audit log tells the story.
    await page.getByRole('link', { name: 'Auditoria' }).click();
    await page.getByLabel('Ação', { exact: true }).selectOption({ label: 'Criou usuário' });
    await expect(page.getByTestId('audit-row').first()).toContainText(username);
    await expect(page.getByTestId('audit-row').first()).toContainText('Criou usuário');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'users-audit');

    // Dark theme.
    await page.getByRole('button', { name: /^Tema: / }).click();
    await page.getByRole('button', { name: 'Escuro' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'dark');
    await expectNoSeriousA11yViolations(page);
  });

  test('Minha conta: an API key shown once, then revoked', async ({ page }, testInfo) => {
    const { username, password } = adminCredentials();
    const keyName = `e2e ${testInfo.project.name} ${Date.now().toString(36)}`;
    await logInThroughApi(page, username, password);

    await page.getByRole('button', { name: new RegExp(`^Menu do usuário: ${username}`) }).click();
    await page.getByRole('link', { name: 'Minha conta' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Minha conta' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await page.getByLabel('Nome da chave').fill(keyName);
    await page.getByRole('button', { name: 'Criar chave' }).click();
    const dialog = page.getByRole('dialog', { name: `Chave “${keyName}” criada` });
    const key = await dialog.getByLabel('Chave de API', { exact: true }).inputValue();
    expect(key.length).toBeGreaterThan(20);
    await expect(dialog).toContainText('Mostrado só esta vez');
    await saveScreenshot(page, testInfo, 'account-key');
    await dialog.getByRole('button', { name: 'Concluído' }).click();

    // The key works for the API.
    const me = await page.request.get('/api/auth/me', { headers: { 'X-API-Key': key } });
    expect(me.ok()).toBe(true);

    await page.getByRole('button', { name: `Revogar a chave ${keyName}` }).click();
    await page
      .getByRole('dialog', { name: `Revogar a chave “${keyName}”?` })
      .getByRole('button', { name: 'Revogar' })
      .click();
    await expect(page.getByText(`Chave “${keyName}” revogada.`)).toBeVisible();
    const revoked = await page.request.get('/api/auth/me', {
      headers: { 'X-API-Key': key, Cookie: '' },
    });
    expect(revoked.status()).toBe(401);
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'account');
  });

  test('Minha conta: log out of every device', async ({ page, browser }, testInfo) => {
    const { username, password } = adminCredentials();
    // A second device, logged in too.
    const phone = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const phonePage = await phone.newPage();
    await logInThroughApi(phonePage, username, password);

    await page.goto('/login?next=%2Faccount');
    await logIn(page, username, password);
    await expect(page.getByRole('heading', { level: 1, name: 'Minha conta' })).toBeVisible();
    const sessions = page.getByRole('table', { name: 'Suas sessões' });
    await expect(sessions.getByTestId('session-row').filter({ hasText: 'Esta sessão' })).toHaveCount(
      1,
    );
    expect(await sessions.getByTestId('session-row').count()).toBeGreaterThanOrEqual(2);
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, testInfo, 'account-sessions');

    await page.getByRole('button', { name: 'Sair de todos os dispositivos' }).click();
    const confirm = page.getByRole('dialog', { name: 'Sair de todos os dispositivos?' });
    await expectNoSeriousA11yViolations(page);
    await confirm.getByRole('button', { name: 'Sair de todos os dispositivos' }).click();
    await expect(page).toHaveURL(/\/login\?reason=signed-out-everywhere$/);
    await expect(page.getByRole('status')).toContainText('Você saiu de todos os dispositivos.');

    // The other device is out too, and told why.
    await phonePage.reload();
    await expect(phonePage).toHaveURL(/\/login/);
    await expect(phonePage.getByRole('heading', { name: 'Entrar' })).toBeVisible();
    await phone.close();
  });
});
