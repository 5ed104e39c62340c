import { defineConfig } from '@hey-api/openapi-ts';

/**
 * Generates the typed API client from the backend's OpenAPI document.
 *
 * `openapi.json` is exported by the backend (`evodash openapi > frontend/openapi.json`).
 * The output folder is committed and never edited by hand: run `npm run generate-client`
 * after the backend changes, and `npm run check-client` (CI) fails when it is stale.
 * OPENAPI_TS_OUTPUT lets the staleness check generate into a temporary folder.
 */
export default defineConfig({
  input: './openapi.json',
  output: {
    path: process.env.OPENAPI_TS_OUTPUT ?? './src/api/generated',
    // Keep the output byte-for-byte deterministic; no formatter/linter is run on it.
  },
  plugins: [
    '@hey-api/client-fetch',
    '@hey-api/typescript',
    '@hey-api/sdk',
    '@tanstack/react-query',
  ],
});
