/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The FastAPI backend during development (`evodash run`). Override with EVODASH_API_URL.
const apiTarget = process.env.EVODASH_API_URL ?? 'http://127.0.0.1:8000';

const proxy = {
  '/api/ws': { target: apiTarget, ws: true, changeOrigin: true },
  '/api': { target: apiTarget, changeOrigin: true },
  '/docs': { target: apiTarget, changeOrigin: true },
  '/redoc': { target: apiTarget, changeOrigin: true },
  '/openapi.json': { target: apiTarget, changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
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
  },
  test: {
    globals: true,
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
  },
});
