import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { reloadThemePreference, THEME_STORAGE_KEY } from '@/lib/theme';
import { stubColorScheme } from '@/testing/setup';

import { useTheme } from '../use-theme';

const htmlTheme = () => document.documentElement.getAttribute('data-bs-theme');

describe('useTheme', () => {
  it('follows the OS by default', () => {
    const os = stubColorScheme('dark');
    reloadThemePreference();
    const { result } = renderHook(() => useTheme());

    expect(result.current.preference).toBe('auto');
    expect(result.current.theme).toBe('dark');
    expect(htmlTheme()).toBe('dark');

    act(() => os.change('light'));
    expect(result.current.theme).toBe('light');
    expect(htmlTheme()).toBe('light');
  });

  it('remembers an explicit choice and applies it to <html>', () => {
    const { result } = renderHook(() => useTheme());

    act(() => result.current.setPreference('dark'));

    expect(result.current.preference).toBe('dark');
    expect(result.current.theme).toBe('dark');
    expect(htmlTheme()).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
  });

  it('restores the stored choice and ignores the OS then', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'light');
    const os = stubColorScheme('dark');
    reloadThemePreference();
    const { result } = renderHook(() => useTheme());
    expect(result.current.theme).toBe('light');
    act(() => os.change('dark'));
    expect(htmlTheme()).toBe('light');
  });

  it('goes back to following the OS with auto', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'light');
    stubColorScheme('dark');
    reloadThemePreference();
    const { result } = renderHook(() => useTheme());
    act(() => result.current.setPreference('auto'));
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect(htmlTheme()).toBe('dark');
  });

  it('ignores a garbage stored value', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'purple');
    reloadThemePreference();
    const { result } = renderHook(() => useTheme());
    expect(result.current.preference).toBe('auto');
  });
});
