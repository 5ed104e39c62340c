// Measures the JavaScript a browser downloads before the first render of each HTML entry:
// its entry script plus every chunk it preloads (Vite lists all static imports of an entry
// as modulepreload links; lazily imported chunks are not listed), gzipped. Fails above the
// budgets: the dashboard (dist/index.html) 250 KB (DESIGN.md §8), the customer reconnect
// page (dist/reconnect.html, issue 17) 60 KB. Run after `vite build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const ENTRIES = [
  { html: 'index.html', label: 'initial JS', budgetKb: Number(process.env.INITIAL_JS_BUDGET_KB ?? 250) },
  {
    html: 'reconnect.html',
    label: 'reconnect page JS',
    budgetKb: Number(process.env.RECONNECT_JS_BUDGET_KB ?? 60),
  },
];

/** Gzipped bytes of each script an HTML entry loads up front, largest file names first. */
function initialScripts(htmlFile) {
  const html = readFileSync(join(dist, htmlFile), 'utf8');
  const files = new Set();
  for (const [, src] of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(src);
  for (const [, href] of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(href);
  if (files.size === 0) {
    console.error(`No module script found in dist/${htmlFile}; run \`npm run build\` first`);
    process.exit(1);
  }
  return [...files].sort().map((file) => ({
    file,
    size: gzipSync(readFileSync(join(dist, file.replace(/^\//, ''))), { level: 9 }).length,
  }));
}

let failed = false;
for (const { html, label, budgetKb } of ENTRIES) {
  let total = 0;
  for (const { file, size } of initialScripts(html)) {
    total += size;
    console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file}`);
  }
  const totalKb = total / 1024;
  console.log(`${totalKb.toFixed(1).padStart(8)} KB  ${label}, gzipped (budget ${budgetKb} KB)`);
  if (totalKb > budgetKb) {
    console.error(`${label} (dist/${html}) is over budget by ${(totalKb - budgetKb).toFixed(1)} KB`);
    failed = true;
  }
}
if (failed) process.exit(1);
