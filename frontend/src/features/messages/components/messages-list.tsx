import { useMemo } from 'react';
import Button from 'react-bootstrap/Button';
import Spinner from 'react-bootstrap/Spinner';
import { useLocation } from 'react-router';

import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';

import type { InstanceOption } from '../api/get-instance-names';
import { useMessages } from '../api/get-messages';
import { useLiveMessages } from '../hooks/use-live-messages';
import { useMessagesTranslation } from '../i18n';
import { countActiveFilters, type MessageFilters } from '../lib/filters';
import { MessageRow } from './message-row';
import { NewMessagesPill } from './new-messages-pill';

export interface MessagesListProps {
  filters: MessageFilters;
  instances: readonly InstanceOption[];
  onClearFilters: () => void;
  /** The message open in the drawer, highlighted. */
  activeId?: number | null;
}

/** Newest first, "Carregar mais" for older ones, new arrivals behind a pill. */
export function MessagesList({ filters, instances, onClearFilters, activeId }: MessagesListProps) {
  const { t } = useMessagesTranslation();
  const { search } = useLocation();
  const query = useMessages(filters);
  const { newCount, showNew } = useLiveMessages(filters);
  const names = useMemo(() => new Map(instances.map((i) => [i.id, i.name])), [instances]);

  const messages = useMemo(
    () => query.data?.pages.flatMap((page) => page.items) ?? [],
    [query.data],
  );

  const show = () => {
    showNew();
    document.getElementById('messages-top')?.scrollIntoView({ block: 'start' });
  };

  if (query.isPending) return <LoadingState />;
  // A failed "load more" keeps the loaded messages (the error shows under them).
  if (query.isError && !query.data) {
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }

  const filtered = countActiveFilters(filters) > 0;
  return (
    <>
      <div id="messages-top" className="scroll-anchor" />
      <NewMessagesPill count={newCount} onShow={show} />
      {messages.length === 0 ? (
        filtered ? (
          <EmptyState
            icon="chat-dots"
            title={t('empty.filteredTitle')}
            description={t('empty.filteredDescription')}
            action={
              <Button variant="outline-primary" onClick={onClearFilters}>
                {t('filters.clear')}
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon="chat-dots"
            title={t('empty.title')}
            description={
              <>
                {t('empty.description')} {t('allowList.body')}
              </>
            }
          />
        )
      ) : (
        <>
          <ul className="list-group message-list" aria-label={t('list.label')}>
            {messages.map((message) => (
              <MessageRow
                key={message.id}
                message={message}
                instanceName={
                  names.get(message.instance_id) ??
                  t('list.instanceFallback', { id: message.instance_id })
                }
                search={search}
                active={message.id === activeId}
              />
            ))}
          </ul>
          <div className="text-center my-3">
            {query.hasNextPage ? (
              <Button
                variant="outline-primary"
                onClick={() => void query.fetchNextPage()}
                disabled={query.isFetchingNextPage}
              >
                {query.isFetchingNextPage ? (
                  <>
                    <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                    {t('list.loadingMore')}
                  </>
                ) : (
                  t('list.loadMore')
                )}
              </Button>
            ) : (
              <p className="small text-body-secondary mb-0">{t('list.end')}</p>
            )}
            {query.isFetchNextPageError ? (
              <ErrorState error={query.error} className="mt-3 text-start" />
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
