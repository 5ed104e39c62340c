import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Page, TestInfo } from '@playwright/test';

/** Where journeys leave their screenshots for people to look at (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url));

/**
 * Whether journeys save them: yes, unless E2E_SCREENSHOTS=0, or in CI (CI set) unless
 * E2E_SCREENSHOTS=1. CI runs in a clone deleted when it ends, where nobody looks at them,
 * and the 61 full-page captures (12 of them at twice the pixels, on a phone) were a
 * large part of the browser's CPU in `make test`.
 */
export const SAVE_SCREENSHOTS =
  process.env.E2E_SCREENSHOTS !== undefined
    ? process.env.E2E_SCREENSHOTS !== '0'
    : !process.env.CI;

/** Saves a full-page screenshot as e2e/screenshots/<project>-<name>.png (its path), or
 * nothing (null) when screenshots are off. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string) {
  if (!SAVE_SCREENSHOTS) return null;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${testInfo.project.name}-${name}.png`;
  // From the top: a full-page capture keeps the sticky top bar where the scroll left it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
