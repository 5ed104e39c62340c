import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * Runs axe (WCAG 2.1 A/AA) on the page and fails on serious or critical violations.
 *
 * Axe judges the colours of a page at rest. Mid-transition colours are neither the old
 * nor the new ones, and waiting for running transitions is not enough: one can start
 * after any wait. (On the phone, the pointer that tapped a sidebar link rests where the
 * link was; when the drawer has slid away Chromium moves :hover to the status chip now
 * under it, a beat later, and axe read the chip's white text on #707880, half-way to its
 * hover background.) So the check runs with `prefers-reduced-motion: reduce`, which every
 * transition of the app honours (all are Bootstrap's): a state change during the check
 * shows its final colours at once, and a running transition ends where it was going.
 *
 * The switch itself waits until the running transitions have ended: switched midway, a
 * transition is cancelled rather than finished, and a component waiting for its end waits
 * for ever. (The phone's navigation drawer, tapped away just before a check, stayed open
 * off-screen, its focus trap closing every menu the journey opened next:
 * react-bootstrap's fallback timer had been disarmed by a link's own transitionend.)
 */
export async function expectNoSeriousA11yViolations(page: Page) {
  await waitForFiniteAnimations(page);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    // Those that reduced motion does not stop are waited for again.
    await waitForFiniteAnimations(page);
    // Legacy mode: axe.run in the page (same-origin frames included; the app has no
    // frames) rather than axe.finishRun in a blank page opened and closed for each check.
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .setLegacyMode()
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
  } finally {
    await page.emulateMedia({ reducedMotion: null });
  }
}

/** Until no finite animation or transition runs: an endless one (a spinner) never ends,
 * and keeps its colours. */
async function waitForFiniteAnimations(page: Page) {
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every(
        (animation) =>
          animation.playState !== 'running' ||
          animation.effect?.getComputedTiming().iterations === Infinity,
      ),
  );
}
