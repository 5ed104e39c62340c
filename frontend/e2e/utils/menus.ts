import { expect, type Locator } from '@playwright/test';

/**
 * Opens a row's actions menu and checks that it opened beside its button (below it, or
 * above it when flipped), not somewhere else in the window. Returns the open menu.
 */
export async function openRowMenu(toggle: Locator, within: Locator): Promise<Locator> {
  await toggle.click();
  const menu = within.locator('.dropdown-menu.show');
  await expect(menu).toBeVisible();
  await expect
    .poll(async () => {
      const [button, box] = await Promise.all([toggle.boundingBox(), menu.boundingBox()]);
      if (!button || !box) return Number.POSITIVE_INFINITY;
      const below = Math.abs(box.y - (button.y + button.height));
      const above = Math.abs(box.y + box.height - button.y);
      return Math.min(below, above);
    }, { message: 'the menu opens next to its button' })
    .toBeLessThanOrEqual(8);
  return menu;
}
