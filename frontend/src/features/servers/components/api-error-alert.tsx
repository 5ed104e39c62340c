import Alert from 'react-bootstrap/Alert';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';

import { useExplainError } from '../hooks/use-server-error';
import { SERVERS_NS } from '../locales';

/** A failed request about a server: a heading, our explanation, and the backend's detail. */
export function ApiErrorAlert({
  error,
  title,
  id,
  className,
}: {
  error: unknown;
  title: string;
  id?: string;
  className?: string;
}) {
  const { t } = useTranslation(SERVERS_NS);
  const explain = useExplainError();
  const { message, detail } = explain(error);
  return (
    <Alert variant="danger" role="alert" id={id} className={`d-flex gap-2 ${className ?? ''}`}>
      <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
      <div className="min-w-0">
        <strong className="d-block">{title}</strong>
        <span className="d-block">{message}</span>
        {detail ? (
          <span className="d-block small text-break">{t('test.detail', { detail })}</span>
        ) : null}
      </div>
    </Alert>
  );
}
