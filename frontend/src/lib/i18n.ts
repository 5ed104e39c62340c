import i18n, { type BackendModule, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';

import { ptBR } from '@/locales/pt-br';

export const LANGUAGES = ['pt-BR', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'pt-BR';
export const LANGUAGE_STORAGE_KEY = 'evodash.language';
const COMMON_NS = 'translation';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Portuguese unless the person chose English before (remembered in localStorage). */
export function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** Fetches a namespace's English strings (a chunk of their own). */
export type EnglishLoader = () => Promise<ResourceKey>;

// Portuguese, the default, ships with the code that uses it (the shared strings in the entry,
// a feature's in its chunk); English is fetched per namespace only once someone chooses it.
const english = new Map<string, EnglishLoader>([
  [COMMON_NS, () => import('@/locales/en').then((module) => module.en)],
]);
// Namespaces registered before initI18n (modules of the entry chunk): init adds them.
const early = new Map<string, ResourceKey>();
const loading = new Set<Promise<unknown>>();

function track(promise: Promise<unknown>): void {
  const settled = promise.then(
    () => undefined,
    () => undefined,
  );
  loading.add(settled);
  void settled.then(() => loading.delete(settled));
}

/** Resolves once the strings being fetched (English namespaces) are there. */
export async function translationsReady(): Promise<void> {
  while (loading.size > 0) await Promise.all(loading);
}

/** An i18next backend that fetches a namespace's English strings when they are needed. */
const lazyEnglish: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read(language, namespace, callback) {
    const load = language === 'en' ? english.get(namespace) : undefined;
    if (!load) {
      callback(null, {});
      return;
    }
    load().then(
      (resources) => callback(null, resources),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  },
};

/**
 * A feature's namespace: its Portuguese strings (bundled with the feature's chunk) and the
 * way to fetch its English ones. In English, they are fetched now; pages wait for them
 * (`translationsReady`) before they render.
 */
export function registerTranslations(
  namespace: string,
  portuguese: ResourceKey,
  loadEnglish: EnglishLoader,
): void {
  english.set(namespace, loadEnglish);
  if (!i18n.isInitialized) {
    early.set(namespace, portuguese);
    return;
  }
  i18n.addResourceBundle(DEFAULT_LANGUAGE, namespace, portuguese, true, true);
  track(i18n.loadNamespaces(namespace));
}

/**
 * Initialises the shared i18next instance (or switches its language). Resolves once the
 * language's strings are there: at once in Portuguese, after fetching them in English.
 */
export function initI18n(language: Language = storedLanguage()): Promise<void> {
  if (!i18n.isInitialized) {
    i18n.on('languageChanged', (lng) => {
      document.documentElement.lang = lng;
    });
    track(
      i18n
        .use(lazyEnglish)
        .use(initReactI18next)
        .init({
          resources: { [DEFAULT_LANGUAGE]: { [COMMON_NS]: ptBR, ...Object.fromEntries(early) } },
          partialBundledLanguages: true,
          ns: [COMMON_NS, ...early.keys()],
          defaultNS: COMMON_NS,
          lng: language,
          fallbackLng: DEFAULT_LANGUAGE,
          supportedLngs: [...LANGUAGES],
          interpolation: { escapeValue: false }, // React escapes
          returnNull: false,
          initAsync: false,
          // Pages wait for their strings before they render (translationsReady); a component
          // never suspends for them (a Suspense fallback would hold the page back).
          react: { useSuspense: false },
        }),
    );
    early.clear();
  } else if (i18n.language !== language) {
    track(i18n.changeLanguage(language));
  }
  document.documentElement.lang = language;
  return translationsReady();
}

export { i18n };
