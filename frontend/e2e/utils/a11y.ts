import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Runs axe (WCAG 2.1 A/AA) on the page and fails on serious or critical violations. */
export async function expectNoSeriousA11yViolations(page: Page) {
  // A settled page: colours in the middle of a CSS transition (a button just tapped, a
  // drawer sliding in) are neither the old nor the new ones, and axe would judge those.
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => animation.playState !== 'running'),
  );
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${String(violation.impact)}): ${violation.help} — ${violation.nodes
          .map((node) => `${node.target.join(' ')} ${node.any[0]?.message ?? ''}`)
          .join(', ')}`,
    );
  expect(blocking, 'serious/critical accessibility violations').toEqual([]);
}
