// Measures the JavaScript a browser downloads before the first render: the entry script of
// dist/index.html plus every chunk it preloads (Vite lists all static imports of the entry
// as modulepreload links; lazily imported chunks are not listed), gzipped, and what the
// dashboard's first screen adds (its chunks from dist/route-hints.json, which the server
// preloads). Fails above the budgets (DESIGN.md §8 allows 250 KB; the budgets here hold
// what issue 18 won back). Run after `vite build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = Number(process.env.INITIAL_JS_BUDGET_KB ?? 170);
const DASHBOARD_BUDGET_KB = Number(process.env.DASHBOARD_JS_BUDGET_KB ?? 195);
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const files = new Set();
for (const [, src] of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(src);
for (const [, href] of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(href);
if (files.size === 0) {
  console.error('No module script found in dist/index.html; run `npm run build` first');
  process.exit(1);
}

const gzipped = (file) => gzipSync(readFileSync(join(dist, file.replace(/^\//, ''))), { level: 9 }).length;

let total = 0;
for (const file of [...files].sort()) {
  const size = gzipped(file);
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file}`);
}
const totalKb = total / 1024;
console.log(`${totalKb.toFixed(1).padStart(8)} KB  initial JS, gzipped (budget ${BUDGET_KB} KB)`);
let failed = false;
if (totalKb > BUDGET_KB) {
  console.error(`Initial JS is over budget by ${(totalKb - BUDGET_KB).toFixed(1)} KB`);
  failed = true;
}

const hints = JSON.parse(readFileSync(join(dist, 'route-hints.json'), 'utf8'));
let dashboard = total;
for (const file of hints['/']?.modules ?? []) {
  const size = gzipped(file);
  dashboard += size;
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file} (dashboard)`);
}
const dashboardKb = dashboard / 1024;
console.log(
  `${dashboardKb.toFixed(1).padStart(8)} KB  the dashboard's first screen (budget ${DASHBOARD_BUDGET_KB} KB)`,
);
if (dashboardKb > DASHBOARD_BUDGET_KB) {
  console.error(`The dashboard is over budget by ${(dashboardKb - DASHBOARD_BUDGET_KB).toFixed(1)} KB`);
  failed = true;
}
if (failed) process.exit(1);
