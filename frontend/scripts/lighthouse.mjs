// Lighthouse (performance + accessibility) on a page of the built SPA served by the backend,
// logged in. DESIGN.md §8: performance ≥ 90 and accessibility ≥ 95 on the dashboard.
//
//   LIGHTHOUSE_USER=admin LIGHTHOUSE_PASSWORD=... node scripts/lighthouse.mjs [path] [--desktop]
//
// BASE_URL (default http://127.0.0.1:8000) is a running `evodash run` (or `evodash demo`, whose
// data makes a more realistic dashboard). Lighthouse 12.2.3 is pinned (13 wants Node 22) and
// runs through npx; Chromium is Debian's (CHROMIUM_PATH overrides /usr/bin/chromium). The
// session cookie is sent as an extra header. Reports land in lighthouse-report/ (ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const LIGHTHOUSE = 'lighthouse@12.2.3';
const TARGETS = { performance: 90, accessibility: 95 };

const args = process.argv.slice(2);
const desktop = args.includes('--desktop');
const path = args.find((arg) => !arg.startsWith('--')) ?? '/';
const base = (process.env.BASE_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const username = process.env.LIGHTHOUSE_USER ?? process.env.E2E_ADMIN_USER;
const password = process.env.LIGHTHOUSE_PASSWORD ?? process.env.E2E_ADMIN_PASSWORD;
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!username || !password) {
  console.error('Set LIGHTHOUSE_USER and LIGHTHOUSE_PASSWORD (an existing user)');
  process.exit(2);
}

const login = await fetch(`${base}/api/auth/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username, password }),
});
if (!login.ok) {
  console.error(`Login failed: HTTP ${login.status} ${await login.text()}`);
  process.exit(2);
}
const cookie = login.headers
  .getSetCookie()
  .map((header) => header.split(';')[0])
  .join('; ');

const outDir = new URL('../lighthouse-report/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const name = `${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'dashboard'}-${
  desktop ? 'desktop' : 'mobile'
}`;
const output = `${outDir}${name}`;

execFileSync(
  'npx',
  [
    '--yes',
    LIGHTHOUSE,
    `${base}${path}`,
    `--chrome-path=${chromium}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
    `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
    '--only-categories=performance,accessibility',
    '--output=json',
    '--output=html',
    `--output-path=${output}`,
    '--quiet',
    ...(desktop ? ['--preset=desktop'] : []),
  ],
  { stdio: 'inherit' },
);

const report = JSON.parse(readFileSync(`${output}.report.json`, 'utf8'));
let failed = false;
for (const [category, target] of Object.entries(TARGETS)) {
  const score = Math.round((report.categories[category]?.score ?? 0) * 100);
  const ok = score >= target;
  failed ||= !ok;
  const verdict = ok ? 'ok' : 'BELOW';
  console.log(`${category.padEnd(14)} ${String(score).padStart(3)}  (target ${target}) ${verdict}`);
}
for (const id of [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
]) {
  const audit = report.audits[id];
  if (audit) console.log(`  ${audit.title.padEnd(26)} ${audit.displayValue}`);
}
console.log(`Report: ${output}.report.html (${desktop ? 'desktop' : 'mobile'} preset)`);
process.exit(failed ? 1 : 0);
