import { Suspense } from 'react';
import { Outlet, useParams } from 'react-router';

import { MessagesPage } from '@/features/messages/components/messages-page';

export default function MessagesRoute() {
  const { messageId } = useParams();
  return (
    <MessagesPage activeId={messageId ? Number(messageId) : null}>
      {/* The drawer's chunk loads without blanking the list. */}
      <Suspense fallback={null}>
        <Outlet />
      </Suspense>
    </MessagesPage>
  );
}
