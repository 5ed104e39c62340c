// Fails when src/api/generated/ is stale: regenerates the client from openapi.json into a
// temporary folder and compares it, file by file, with the committed one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const committed = join(root, 'src/api/generated');
const fresh = mkdtempSync(join(tmpdir(), 'evodash-client-'));

const listFiles = (dir) => {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? out.concat(listFiles(path)) : out.concat(path);
  }
  return out;
};

try {
  execFileSync(process.execPath, [join(root, 'node_modules/@hey-api/openapi-ts/bin/run.js')], {
    cwd: root,
    env: { ...process.env, OPENAPI_TS_OUTPUT: fresh },
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const a = new Set(listFiles(committed).map((f) => relative(committed, f)));
  const b = new Set(listFiles(fresh).map((f) => relative(fresh, f)));
  const problems = [];
  for (const file of b) {
    if (!a.has(file)) problems.push(`missing: ${file}`);
    else if (!readFileSync(join(committed, file)).equals(readFileSync(join(fresh, file)))) {
      problems.push(`differs: ${file}`);
    }
  }
  for (const file of a) if (!b.has(file)) problems.push(`not generated any more: ${file}`);

  if (problems.length > 0) {
    console.error('src/api/generated/ is stale compared with openapi.json:');
    for (const problem of problems) console.error(`  ${problem}`);
    console.error('Run `npm run generate-client` and commit the result.');
    process.exit(1);
  }
  console.log(`API client is up to date with openapi.json (${b.size} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
