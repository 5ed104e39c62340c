import './messages.css';

import type { ReactNode } from 'react';

import { PageHeader } from '@/components/ui/page-header';

import { useInstanceNames } from '../api/get-instance-names';
import { useMessageFilters } from '../hooks/use-message-filters';
import { useMessagesTranslation } from '../i18n';
import { AllowListHelp } from './allow-list-help';
import { MessageFilters } from './message-filters';
import { MessagesList } from './messages-list';

export interface MessagesPageProps {
  /** The message open in the drawer (highlighted in the list). */
  activeId?: number | null;
  /** The drawer route. */
  children?: ReactNode;
}

/** Mensagens: filters kept in the URL, the live list, and the detail drawer over it. */
export function MessagesPage({ activeId = null, children }: MessagesPageProps) {
  const { t } = useMessagesTranslation();
  const filters = useMessageFilters();
  const instances = useInstanceNames();

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <MessageFilters state={filters} instances={instances.data ?? []} />
      <AllowListHelp open={filters.filters.status === 'blocked'} />
      <MessagesList
        filters={filters.filters}
        instances={instances.data ?? []}
        onClearFilters={filters.clear}
        activeId={activeId}
      />
      {children}
    </>
  );
}
