import type { Role } from '@/api/generated/types.gen';

import { useUsersTranslation } from '../i18n';

const VARIANTS: Record<Role, string> = {
  admin: 'text-bg-primary',
  operator: 'text-bg-info',
  viewer: 'text-bg-secondary',
};

export function UserRoleBadge({ role }: { role: Role }) {
  const { t } = useUsersTranslation();
  return <span className={`badge ${VARIANTS[role]}`}>{t(`roles.${role}`)}</span>;
}
