import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';

import { configureApiClient } from '@/lib/api-client';
import { i18n, initI18n } from '@/lib/i18n';
import { reloadThemePreference } from '@/lib/theme';

import { MockWebSocket } from './mock-websocket';

// jsdom has no matchMedia; tests that care stub it with a dark or light OS. Other queries
// (react-bootstrap's breakpoints) answer as on a desktop browser.
export function stubColorScheme(scheme: 'light' | 'dark') {
  const listeners = new Set<() => void>();
  const mql = {
    matches: scheme === 'dark',
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  const other = (media: string) => ({
    matches: /min-width/.test(media),
    media,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
  });
  vi.stubGlobal(
    'matchMedia',
    vi.fn((media: string) => (media === mql.media ? mql : other(media))),
  );
  return {
    change(next: 'light' | 'dark') {
      mql.matches = next === 'dark';
      for (const listener of listeners) listener();
    },
  };
}

// Lazy routes are transformed on first import, which can take a few seconds on a cold run.
configure({ asyncUtilTimeout: 5000 });

void initI18n('pt-BR');
configureApiClient();

beforeEach(async () => {
  stubColorScheme('light');
  // The app's realtime connection never touches the network in tests; a test drives it
  // through MockWebSocket.latest().
  MockWebSocket.reset();
  vi.stubGlobal('WebSocket', MockWebSocket);
  localStorage.clear();
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
  reloadThemePreference();
  await i18n.changeLanguage('pt-BR');
});

afterEach(() => {
  cleanup();
  // A test that faked the clock and failed midway must not leave it fake for the next.
  vi.useRealTimers();
});
