/**
 * Light/dark theme through Bootstrap 5.3's `data-bs-theme` on <html>. The person's choice
 * (light, dark, or auto = follow the OS) is remembered in localStorage; auto is the default.
 * A tiny external store so every component sees the same value (useSyncExternalStore).
 */
export const THEME_PREFERENCES = ['light', 'dark', 'auto'] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];
export type Theme = Exclude<ThemePreference, 'auto'>;
export const THEME_STORAGE_KEY = 'evodash.theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';
const listeners = new Set<() => void>();
let preference: ThemePreference = readPreference();

function isPreference(value: unknown): value is ThemePreference {
  return typeof value === 'string' && (THEME_PREFERENCES as readonly string[]).includes(value);
}

function readPreference(): ThemePreference {
  try {
    const value = localStorage.getItem(THEME_STORAGE_KEY);
    return isPreference(value) ? value : 'auto';
  } catch {
    return 'auto';
  }
}

function systemTheme(): Theme {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches
    ? 'dark'
    : 'light';
}

export function getThemePreference(): ThemePreference {
  return preference;
}

export function resolveTheme(pref: ThemePreference = preference): Theme {
  return pref === 'auto' ? systemTheme() : pref;
}

export function applyTheme(): void {
  document.documentElement.setAttribute('data-bs-theme', resolveTheme());
}

function emit(): void {
  applyTheme();
  for (const listener of listeners) listener();
}

export function setThemePreference(next: ThemePreference): void {
  preference = next;
  try {
    if (next === 'auto') localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, next);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
  emit();
}

export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null;
  const onSystemChange = () => {
    if (preference === 'auto') emit();
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_STORAGE_KEY || event.key === null) {
      preference = readPreference();
      emit();
    }
  };
  media?.addEventListener('change', onSystemChange);
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    media?.removeEventListener('change', onSystemChange);
    window.removeEventListener('storage', onStorage);
  };
}

/** Re-reads localStorage (tests, or after storage was changed outside this module). */
export function reloadThemePreference(): void {
  preference = readPreference();
  applyTheme();
}
