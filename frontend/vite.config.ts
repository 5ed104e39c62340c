/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type Rolldown } from 'vite';

import { ROUTE_HINTS } from './src/app/route-hints.ts';

/**
 * Writes dist/route-hints.json: for each page (src/app/route-hints.ts), the chunks of its
 * route modules and everything they import that index.html does not already load, their
 * styles, its first API requests and the session check. The backend puts them in index.html
 * as preload links, so a page's code and data start with the HTML (see evodash.core.spa).
 */
function routeHints(): Plugin {
  return {
    name: 'evodash-route-hints',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter(
        (item): item is Rolldown.OutputChunk => item.type === 'chunk',
      );
      const graph = (fileName: string, into = new Set<string>()) => {
        if (into.has(fileName)) return into;
        into.add(fileName);
        const chunk = bundle[fileName];
        if (chunk.type === 'chunk') for (const child of chunk.imports) graph(child, into);
        return into;
      };
      const initial = new Set<string>();
      for (const chunk of chunks) if (chunk.isEntry) graph(chunk.fileName, initial);
      const hints: Record<
        string,
        { modules: string[]; styles: string[]; data: string[]; session: string[] }
      > = {};
      for (const hint of ROUTE_HINTS) {
        const files = new Set<string>();
        for (const module of hint.modules) {
          const chunk = chunks.find((item) => item.facadeModuleId?.endsWith(`/${module}`));
          if (!chunk) this.error(`route-hints: no chunk for ${module} (${hint.path})`);
          graph(chunk.fileName, files);
        }
        const own = [...files].filter((file) => !initial.has(file));
        const styles = own.flatMap((file) => {
          const chunk = bundle[file];
          return chunk.type === 'chunk' ? [...(chunk.viteMetadata?.importedCss ?? [])] : [];
        });
        hints[hint.path] = {
          modules: own.map((file) => `/${file}`),
          styles: [...new Set(styles)].map((file) => `/${file}`),
          data: [...(hint.data ?? [])],
          session: [...(hint.session ?? [])],
        };
      }
      this.emitFile({
        type: 'asset',
        fileName: 'route-hints.json',
        source: `${JSON.stringify(hints, null, 2)}\n`,
      });
    },
  };
}

/**
 * The reconnect page (reconnect.html) is one chunk with nothing to preload, so it needs no
 * modulepreload polyfill; and the polyfill, shared with the dashboard's entry, would make it
 * import the dashboard's entry chunk (and its styles). Vite adds the polyfill to every HTML
 * entry: this takes it out of that one.
 */
function reconnectWithoutPolyfill(): Plugin {
  return {
    name: 'evodash-reconnect-without-polyfill',
    apply: 'build',
    enforce: 'post',
    transform(code, id) {
      if (!/[\\/]reconnect\.html$/.test(id)) return null;
      return { code: code.replace(/^import "vite\/modulepreload-polyfill";\n/m, ''), map: null };
    },
  };
}

// The FastAPI backend during development (`evodash run`). Override with EVODASH_API_URL.
const apiTarget = process.env.EVODASH_API_URL ?? 'http://127.0.0.1:8000';

// Loaded only by the pages that need them; kept out of the shared chunk (see build below).
const FORM_LIBRARIES = /node_modules[\\/](zod|react-hook-form|@hookform)[\\/]/;
// The forms' own modules (they import zod): not shared by pages without a form.
const FORM_MODULES = /[\\/](instance-form-schema|instance-form-parts|form-field|phone-input|save-instance|server-schema)\.tsx?$/;
// The customer reconnect page's own modules (its entry): never in the dashboard's chunks.
const RECONNECT_PAGE = /[\\/](src[\\/]reconnect[\\/]|reconnect\.html)/;
const LARGE_LIBRARIES = /node_modules[\\/](chart\.js|react-chartjs-2|@kurkle)[\\/]|[\\/]components[\\/]charts[\\/]/;
// Dialogs, menus and tooltips (Popper, react-bootstrap's overlays, the app's confirmation
// dialog and row menu): the pages with one. A module of src/components that imports an
// overlay belongs here: in the shared chunk it would import this one while this one imports
// the shared chunk, and the page broke on the cycle ('ue is not a function').
const OVERLAYS = new RegExp(
  '[\\\\/]src[\\\\/]components[\\\\/]ui[\\\\/](confirm-modal|row-actions-menu)\\.tsx$' +
    '|node_modules[\\\\/](@popperjs[\\\\/]' +
    '|@restart[\\\\/]ui[\\\\/]esm[\\\\/](Modal|ModalManager|Dropdown\\w*|Overlay|popper|usePopper|mergeOptionsWithPopperConfig|Tabs|TabPanel|Nav|NavItem)\\.js' +
    '|react-bootstrap[\\\\/]esm[\\\\/](Modal\\w*|Offcanvas\\w*|Dropdown\\w*|Overlay\\w*|Tooltip|Popover\\w*|Tabs?|TabContainer|TabContent|TabPane|Nav|NavItem|NavLink|NavbarContext|BootstrapModalManager|AbstractModalHeader)\\.js)',
);
// A feature's modules that several of its pages use (the instances' dialogs, its strings).
const FEATURE = /[\\/]src[\\/]features[\\/]([^\\/]+)[\\/]/;

const proxy = {
  '/api/ws': { target: apiTarget, ws: true, changeOrigin: true },
  '/api': { target: apiTarget, changeOrigin: true },
  '/docs': { target: apiTarget, changeOrigin: true },
  '/redoc': { target: apiTarget, changeOrigin: true },
  '/openapi.json': { target: apiTarget, changeOrigin: true },
};

export default defineConfig({
  plugins: [react(), routeHints(), reconnectWithoutPolyfill()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  build: {
    target: 'es2022',
    sourcemap: true,
    // DESIGN.md §8: initial JavaScript under 250 KB gzipped (checked by `npm run size`).
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      // The customer reconnect page (src/reconnect) is an entry of its own: it shares no
      // code with the dashboard, so its visitors download only its few kilobytes.
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        reconnect: fileURLToPath(new URL('./reconnect.html', import.meta.url)),
      },
      output: {
        codeSplitting: {
          groups: [
            {
              // What the first render needs stays with the entry (not in the pages' chunk).
              name: 'app',
              tags: ['$initial'],
              test: (id) => !RECONNECT_PAGE.test(id),
              priority: 3,
            },
            {
              // Forms' libraries: only the pages with a form load them.
              name: 'forms',
              test: FORM_LIBRARIES,
              priority: 2,
            },
            {
              name: 'overlays',
              test: OVERLAYS,
              minShareCount: 2,
              priority: 2,
              // Only what matches: the helpers they share with Alert or Button stay shared.
              includeDependenciesRecursively: false,
            },
            {
              name: (id) => {
                const feature = FEATURE.exec(id)?.[1];
                return feature && !FORM_MODULES.test(id) ? `${feature}-shared` : null;
              },
              minShareCount: 2,
              priority: 2,
              includeDependenciesRecursively: false,
            },
            {
              // One page = its own chunk plus one chunk of the UI the pages share, instead of
              // dozens of small chunks fetched one level after another. What only some pages
              // use (forms' zod, the dashboard's charts, dialogs, a feature's parts) stays
              // apart, so that a page loads little it does not need.
              name: 'shared',
              test: (id) => !LARGE_LIBRARIES.test(id) && !FORM_MODULES.test(id),
              minShareCount: 2,
              priority: 1,
            },
          ],
        },
      },
    },
  },
  test: {
    globals: true,
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup.ts'],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
    projects: [
      {
        // Most files share one jsdom and one module graph per worker thread: building a
        // fresh environment and importing React, the router and the app for each of 45
        // files was three quarters of the run (125 s -> 24 s on the 2-core CI machine).
        // setup.ts still runs before each file and resets what the tests touch.
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.{ts,tsx}'],
          exclude: ['src/**/*.isolated.test.{ts,tsx}'],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        // vi.mock replaces a module for one file: it needs a module graph of its own
        // (ESLint sends every vi.mock here).
        extends: true,
        test: { name: 'isolated', include: ['src/**/*.isolated.test.{ts,tsx}'] },
      },
    ],
  },
});
