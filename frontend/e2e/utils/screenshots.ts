import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Page, TestInfo } from '@playwright/test';

/** Where journeys leave their screenshots for people to look at (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Saves a full-page screenshot as e2e/screenshots/<project>-<name>.png. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${testInfo.project.name}-${name}.png`;
  // From the top: a full-page capture keeps the sticky top bar where the scroll left it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
