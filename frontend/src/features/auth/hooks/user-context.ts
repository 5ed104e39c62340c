import { createContext, useContext } from 'react';

import type { User } from '../api/get-me';

export const UserContext = createContext<User | null>(null);

/** The logged-in user; only inside <ProtectedRoute>, which guarantees there is one. */
export function useUser(): User {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser() must be used inside <ProtectedRoute>');
  return user;
}
