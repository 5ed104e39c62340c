import { useLocation, useNavigate, useParams } from 'react-router';

import { paths } from '@/config/paths';
import { useUser } from '@/features/auth/hooks/user-context';
import { useInstanceNames } from '@/features/messages/api/get-instance-names';
import { MessageDetailDrawer } from '@/features/messages/components/message-detail-drawer';

export default function MessageDetailRoute() {
  const { messageId } = useParams();
  const { search } = useLocation();
  const navigate = useNavigate();
  const user = useUser();
  const instances = useInstanceNames();
  const id = Number(messageId);
  if (!Number.isInteger(id) || id < 1) return null;
  return (
    <MessageDetailDrawer
      key={id}
      messageId={id}
      instances={instances.data ?? []}
      canSeeRaw={user.role === 'admin'}
      onClose={() => void navigate(`${paths.messages.getHref()}${search}`)}
    />
  );
}
