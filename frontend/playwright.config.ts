import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end journeys in a real Chromium against a running backend (which serves the built
 * SPA). Starting that backend is left to the caller (Makefile / .ci/run), so this file only
 * needs to know where it is: E2E_BASE_URL, default http://127.0.0.1:8000.
 *
 * Playwright cannot download browsers here: it drives Debian's chromium (apt-get install
 * chromium), overridable with CHROMIUM_PATH.
 */
const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const isCI = Boolean(process.env.CI);

const launchOptions = {
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  // One backend, one database: journeys run one after another.
  fullyParallel: false,
  workers: 1,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: isCI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    locale: 'pt-BR',
    // E2E_TIMEZONE: another zone for the browser (a day that is not UTC's catches reports
    // that count UTC days).
    timezoneId: process.env.E2E_TIMEZONE ?? 'America/Sao_Paulo',
    colorScheme: 'light',
    // A trace on the retry of a failed journey (CI retries once). Recording one for every
    // journey and keeping it only on failure cost a third of the e2e run's CPU. Locally:
    // `bash scripts/e2e.sh <spec> --trace on`.
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    launchOptions,
  },
  projects: [
    {
      name: 'desktop',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 }, launchOptions },
    },
    {
      // Every page at 375 px (phone-pages.spec.ts) and the journeys tagged @phone, which
      // use what the phone layout does differently; the other journeys run on desktop
      // only (each journey twice was half of the e2e run's time).
      name: 'phone',
      grep: /@phone/,
      use: {
        browserName: 'chromium',
        viewport: { width: 375, height: 812 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        launchOptions,
      },
    },
  ],
});
