import { expect, type Page, test } from '@playwright/test';

import { navigateTo } from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi, navigationDrawer, openNavigation } from './utils/auth';
import { simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';
import { seedInstance } from './utils/seed-instance';

/**
 * Every page of the app at 375 px, once. The journeys run on the desktop project; on the
 * phone project run only this tour and the journeys tagged `@phone`, which exercise what
 * the phone layout does differently (the offcanvas sidebar, the folded message filters).
 * Each page: reached the way a phone user reaches it, no serious axe violation, nothing
 * wider than the screen, a screenshot in e2e/screenshots/.
 */

/** The sidebar's links (dashboard-layout.tsx's NAV_ITEMS), by their Portuguese labels. */
const SIDEBAR_PAGES = [
  'Dashboard',
  'Instâncias',
  'Servidores',
  'Mensagens',
  'Jobs',
  'Faturas',
  'Relatórios',
  'Entregas',
  'Alertas',
  'Log de eventos',
  'Usuários',
  'Backups e LGPD',
];

async function expectFitsTheScreen(page: Page, what: string) {
  const { overflow, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The elements that stick out past the right edge while their parent does not: where
    // the layout breaks, rather than everything inside it.
    const culprits = Array.from(document.body.querySelectorAll<HTMLElement>('*'))
      .filter((element) => {
        const parent = element.parentElement;
        return (
          !element.closest('.visually-hidden') &&
          element.getBoundingClientRect().right > width + 0.5 &&
          parent !== null &&
          parent.getBoundingClientRect().right <= width + 0.5
        );
      })
      .slice(0, 5)
      .map((element) => {
        const classes = Array.from(element.classList).slice(0, 4).join('.');
        const right = Math.round(element.getBoundingClientRect().right);
        return `${element.tagName.toLowerCase()}${classes ? `.${classes}` : ''} (to ${String(right)} px)`;
      });
    return { overflow: document.documentElement.scrollWidth - width, culprits };
  });
  expect(overflow, `${what} is wider than the screen: ${culprits.join(', ')}`).toBeLessThanOrEqual(0);
}

async function checkPage(page: Page, name: string, testInfo: Parameters<typeof saveScreenshot>[1]) {
  await expectFitsTheScreen(page, name);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, testInfo, `tour-${name}`);
}

async function logInAsAdmin(page: Page) {
  const { username, password } = adminCredentials();
  await logInThroughApi(page, username, password);
  return username;
}

test.describe('every page at 375 px', { tag: '@phone' }, () => {
  test.skip(({ isMobile }) => !isMobile, 'the desktop journeys visit these pages');

  test('the sidebar pages', async ({ page }, testInfo) => {
    // Twelve pages, each with an axe run and a full-page screenshot.
    test.setTimeout(180_000);
    await logInAsAdmin(page);
    for (const link of SIDEBAR_PAGES) {
      await navigateTo(page, link);
      await checkPage(page, link, testInfo);
    }
  });

  /** Taps a link in the drawer and resolves when the link's own transition has ended and
   * the drawer's slide-out has not: the moment a switch of reduced motion cuts it short. */
  async function tapDrawerLinkAndWaitForItsTransition(page: Page, link: string) {
    await openNavigation(page);
    const drawer = navigationDrawer(page);
    await expect(drawer).not.toHaveClass(/offcanvas-toggling/);
    // A slide-out of 2 s instead of 0.3 (with motion; reduced motion still stops it): the
    // link's transition (0.15 s) surely ends first, and the test acts well before the
    // drawer's does, however busy the machine.
    await page.addStyleTag({
      content:
        '@media (prefers-reduced-motion: no-preference) { .offcanvas { transition-duration: 2s !important; } }',
    });
    await drawer.evaluate((element) => {
      const state = window as unknown as { insideEnded?: Promise<void> };
      state.insideEnded = new Promise((resolve) => {
        // In the capture phase: the drawer keeps its children's transitionend to itself.
        element.addEventListener(
          'transitionend',
          (event) => {
            if (event.target !== element) resolve();
          },
          { capture: true },
        );
      });
    });
    await drawer.getByRole('link', { name: link }).click();
    await page.evaluate(() => (window as unknown as { insideEnded: Promise<void> }).insideEnded);
    await expect(drawer).toHaveClass(/offcanvas-toggling/);
    return drawer;
  }

  test('an axe check right after a drawer link lets the drawer slide away', async ({ page }) => {
    // The check must not cut the slide-out short (see expectNoSeriousA11yViolations).
    await logInAsAdmin(page);
    const drawer = await tapDrawerLinkAndWaitForItsTransition(page, 'Servidores');
    await expectNoSeriousA11yViolations(page);
    await expect(drawer).toHaveCount(0);
  });

  test('a drawer whose slide-out is cut short still closes', async ({ page }) => {
    // Reduced motion switched on (by the system, say) while the drawer slides away cancels
    // the slide-out: the drawer closes anyway (see mobile-nav.tsx), and opens again.
    await logInAsAdmin(page);
    const drawer = await tapDrawerLinkAndWaitForItsTransition(page, 'Servidores');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await expect(drawer).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1, name: 'Servidores' })).toBeVisible();
    await page.getByRole('button', { name: 'Abrir menu' }).click();
    await expect(drawer).toBeVisible();
  });

  test('the account, and an instance’s pages', async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const sim = simulatorEnv();
    const username = await logInAsAdmin(page);
    await page.getByRole('button', { name: `Menu do usuário: ${username}` }).click();
    await page.getByRole('link', { name: 'Minha conta' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Minha conta' })).toBeVisible();
    await checkPage(page, 'account', testInfo);

    const tag = `${testInfo.project.name}-${Date.now().toString(36)}`;
    const instance = await seedInstance(page, sim, {
      name: `tour-${tag}`,
      displayName: `Tour ${tag}`,
    });
    try {
      for (const [path, heading, name] of [
        ['/instances/new', 'Nova instância', 'instance-new'],
        ['/instances/import', 'Importar instâncias', 'instance-import'],
        [`/instances/${instance.id}`, instance.displayName, 'instance-detail'],
        [`/instances/${instance.id}/edit`, /Editar/, 'instance-edit'],
      ] as const) {
        await page.goto(path);
        await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
        await checkPage(page, name, testInfo);
        if (name === 'instance-detail') {
          // The instance page's other tabs, which hold their own cards and forms.
          for (const [tab, tabName] of [
            ['Mensagens', 'instance-detail-messages'],
            ['Configurações', 'instance-detail-settings'],
          ] as const) {
            await page.getByRole('tab', { name: tab }).click();
            await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
            await expect(page.getByRole('tabpanel', { name: tab })).toBeVisible();
            await checkPage(page, tabName, testInfo);
          }
        }
      }
    } finally {
      await instance.cleanup();
    }
  });
});
