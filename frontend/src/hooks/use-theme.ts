import { useSyncExternalStore } from 'react';

import {
  getThemePreference,
  resolveTheme,
  setThemePreference,
  subscribeTheme,
  type Theme,
  type ThemePreference,
} from '@/lib/theme';

export interface UseThemeResult {
  /** What the person chose: light, dark, or auto (follow the OS). */
  preference: ThemePreference;
  /** What is shown now. */
  theme: Theme;
  setPreference: (preference: ThemePreference) => void;
}

export function useTheme(): UseThemeResult {
  const preference = useSyncExternalStore(subscribeTheme, getThemePreference);
  const theme = useSyncExternalStore(subscribeTheme, () => resolveTheme());
  return { preference, theme, setPreference: setThemePreference };
}
