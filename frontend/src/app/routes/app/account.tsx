import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';

import { paths } from '@/config/paths';
import { meQueryKey } from '@/features/auth/api/get-me';
import { useUser } from '@/features/auth/hooks/user-context';
import { AccountPage } from '@/features/account/components/account-page';

export default function AccountRoute() {
  const user = useUser();
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  return (
    <AccountPage
      user={user}
      roleLabel={t(`user.roles.${user.role}`)}
      // Forgetting the user sends the person to the login page, and back here afterwards.
      onLoginAgain={() => queryClient.setQueryData(meQueryKey(), null)}
      // A full page load, like logging out: nothing of this session stays in memory.
      onSignedOutEverywhere={() =>
        window.location.assign(paths.login.getHref(null, 'signed-out-everywhere'))
      }
    />
  );
}
