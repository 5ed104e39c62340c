import { RequireRole } from '@/features/auth/components/protected-route';
import { EventLogPage } from '@/features/webhooks/components/event-log-page';

export default function EventsRoute() {
  return (
    <RequireRole role="admin">
      <EventLogPage />
    </RequireRole>
  );
}
