import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { describe, expect, it } from 'vitest';

import { i18n, LANGUAGE_STORAGE_KEY, storedLanguage } from '@/lib/i18n';
import { en } from '@/locales/en';
import { ptBR } from '@/locales/pt-br';

import { useLanguage } from '../use-language';

const wrapper = ({ children }: { children: ReactNode }) => (
  <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
);

function useLanguageAndT() {
  return { ...useLanguage(), t: useTranslation().t };
}

describe('useLanguage', () => {
  it('speaks Brazilian Portuguese by default', () => {
    const { result } = renderHook(() => useLanguageAndT(), { wrapper });
    expect(result.current.language).toBe('pt-BR');
    expect(result.current.languages).toEqual(['pt-BR', 'en']);
    expect(result.current.t('nav.instances')).toBe('Instâncias');
    expect(document.documentElement.lang).toBe('pt-BR');
  });

  it('switches to English, remembers it, and updates <html lang>', async () => {
    const { result } = renderHook(() => useLanguageAndT(), { wrapper });

    await act(() => result.current.setLanguage('en'));

    expect(result.current.language).toBe('en');
    expect(result.current.t('nav.instances')).toBe('Instances');
    expect(result.current.t('status.open')).toBe('Connected');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(storedLanguage()).toBe('en');
  });

  it('falls back to Portuguese for an unknown stored language', () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'fr');
    expect(storedLanguage()).toBe('pt-BR');
  });
});

describe('translations', () => {
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
      : [prefix];

  it('English has exactly the Portuguese keys', () => {
    expect(keys(en).sort()).toEqual(keys(ptBR).sort());
  });
});
