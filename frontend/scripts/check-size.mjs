// Measures the JavaScript a browser downloads before the first render of each HTML entry:
// its entry script plus every chunk it preloads (Vite lists all static imports of an entry
// as modulepreload links; lazily imported chunks are not listed), gzipped, and what the
// dashboard's first screen adds (its chunks from dist/route-hints.json, which the server
// preloads). Fails above the budgets: the dashboard's entry 170 KB and its first screen
// 195 KB (DESIGN.md §8 allows 250 KB; these hold what issue 18 won back), the customer
// reconnect page (dist/reconnect.html, issue 17) 60 KB. Also fails when chunks import each
// other in a cycle: the manual chunk groups (vite.config.ts) can make two chunks each need
// the other, and then every page crashes at start ('ue is not a function'). Run after
// `vite build`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const DASHBOARD_BUDGET_KB = Number(process.env.DASHBOARD_JS_BUDGET_KB ?? 195);
const ENTRIES = [
  { html: 'index.html', label: 'initial JS', budgetKb: Number(process.env.INITIAL_JS_BUDGET_KB ?? 170) },
  {
    html: 'reconnect.html',
    label: 'reconnect page JS',
    budgetKb: Number(process.env.RECONNECT_JS_BUDGET_KB ?? 60),
  },
];

const gzipped = (file) => gzipSync(readFileSync(join(dist, file.replace(/^\//, ''))), { level: 9 }).length;

/** Each script an HTML entry loads up front, with its gzipped size. */
function initialScripts(htmlFile) {
  const html = readFileSync(join(dist, htmlFile), 'utf8');
  const files = new Set();
  for (const [, src] of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(src);
  for (const [, href] of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(href);
  if (files.size === 0) {
    console.error(`No module script found in dist/${htmlFile}; run \`npm run build\` first`);
    process.exit(1);
  }
  return [...files].sort().map((file) => ({ file, size: gzipped(file) }));
}

let failed = false;
let dashboardEntry = 0;
for (const { html, label, budgetKb } of ENTRIES) {
  let total = 0;
  for (const { file, size } of initialScripts(html)) {
    total += size;
    console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file}`);
  }
  if (html === 'index.html') dashboardEntry = total;
  const totalKb = total / 1024;
  console.log(`${totalKb.toFixed(1).padStart(8)} KB  ${label}, gzipped (budget ${budgetKb} KB)`);
  if (totalKb > budgetKb) {
    console.error(`${label} (dist/${html}) is over budget by ${(totalKb - budgetKb).toFixed(1)} KB`);
    failed = true;
  }
}

const hints = JSON.parse(readFileSync(join(dist, 'route-hints.json'), 'utf8'));
let dashboard = dashboardEntry;
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

/** A cycle of static imports between the built chunks (file names), or null. */
function chunkCycle() {
  const assets = join(dist, 'assets');
  const imports = new Map();
  for (const file of readdirSync(assets).filter((name) => name.endsWith('.js'))) {
    const code = readFileSync(join(assets, file), 'utf8');
    const deps = new Set();
    for (const [, dep] of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) deps.add(dep);
    imports.set(file, [...deps]);
  }
  const state = new Map(); // file -> 'open' (on the current path) | 'done'
  const path = [];
  const visit = (file) => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const dep of imports.get(file) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of imports.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

const cycle = chunkCycle();
if (cycle) {
  console.error(`Chunks import each other: ${cycle.join(' -> ')} (see the groups in vite.config.ts)`);
  failed = true;
} else {
  console.log('no cycle between the chunks');
}
if (failed) process.exit(1);
