import { expect, type Page } from '@playwright/test';

import { adminCredentials, followNavLink, logInThroughApi } from '../utils/auth';
import { api, listServers, otherNameFor, simulatorEnv } from '../utils/evodash-api';
import { seedInstance } from '../utils/seed-instance';

/** Goes to a page of the sidebar (an offcanvas on phones) by its link. */
export async function navigateTo(page: Page, link: string) {
  await followNavLink(page, link);
  await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
}

/**
 * A URL for the simulator that no server uses yet (each journey registers its own
 * server; the simulator answers under both `127.0.0.1` and `localhost`), after removing
 * servers an earlier failed run of this journey left (by name).
 */
export async function freeSimulatorUrl(
  page: Page,
  simUrl: string,
  serverName: string,
): Promise<string | null> {
  for (const server of await listServers(page)) {
    if (server.name === serverName) {
      await api(page, 'DELETE', `/api/servers/${server.id}?remove_instances=true&force=true`);
    }
  }
  const taken = new Set((await listServers(page)).map((server) => server.base_url));
  return [simUrl, otherNameFor(simUrl)].find((url) => !taken.has(url)) ?? null;
}

/** Adds an Evolution server through the Servidores page ("Adicionar servidor"). */
export async function addServerThroughUi(
  page: Page,
  { name, url, key }: { name: string; url: string; key: string },
) {
  await navigateTo(page, 'Servidores');
  await page.getByRole('button', { name: 'Adicionar servidor' }).first().click();
  const dialog = page.getByRole('dialog', { name: /Adicionar servidor/ });
  await dialog.getByLabel('Nome').fill(name);
  await dialog.getByLabel('URL da Evolution API').fill(url);
  await dialog.getByLabel('Chave global da API').fill(key);
  await dialog.getByRole('button', { name: 'Salvar' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Servidor ${name} adicionado.`)).toBeVisible();
}

/** Deletes the journey's server and whatever instances are left on it. */
export async function removeServerNamed(page: Page, name: string) {
  for (const server of await listServers(page)) {
    if (server.name === name) {
      await api(page, 'DELETE', `/api/servers/${server.id}?remove_instances=true&force=true`);
    }
  }
}

/**
 * Marks the document so a test can prove that a later change happened live: the mark is
 * gone after any reload or full navigation.
 */
export async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload = true;
  });
}

export async function expectSameDocument(page: Page) {
  const marked = await page.evaluate(
    () => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload === true,
  );
  expect(marked, 'the page was not reloaded').toBe(true);
}

/** Switches the theme through the top bar's menu (Portuguese labels). */
export async function chooseTheme(page: Page, theme: 'Claro' | 'Escuro') {
  await page.getByRole('button', { name: /^Tema: / }).click();
  await page.getByRole('button', { name: theme }).click();
  await expect(page.locator('html')).toHaveAttribute(
    'data-bs-theme',
    theme === 'Escuro' ? 'dark' : 'light',
  );
}

/**
 * A journey's start: logged in as the admin on the dashboard, with a connected instance
 * of its own (`name`-project-time, so that runs and projects do not meet).
 */
export async function logInWithInstance(
  page: Page,
  testInfo: { project: { name: string } },
  { name, displayName }: { name: string; displayName: string },
) {
  const { username, password } = adminCredentials();
  const sim = simulatorEnv();
  const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
  await logInThroughApi(page, username, password);
  const instance = await seedInstance(page, sim, {
    name: `${name}-${tag}`,
    displayName: `${displayName} ${tag}`,
  });
  return { instance, sim, tag, username };
}
