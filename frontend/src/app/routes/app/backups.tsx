import { RequireRole } from '@/features/auth/components/protected-route';
import { BackupsPage } from '@/features/backups/components/backups-page';

export default function BackupsRoute() {
  return (
    <RequireRole role="admin">
      <BackupsPage />
    </RequireRole>
  );
}
