import Alert from 'react-bootstrap/Alert';

import { Icon } from '@/components/ui/icon';
import { isApiError } from '@/lib/api-error';

import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';

export interface InstanceErrorProps {
  error: unknown;
  title?: string;
  className?: string;
  onRetry?: () => void;
}

/** A failed request, explained (with its field errors) in the UI language. */
export function InstanceError({ error, title, className, onRetry }: InstanceErrorProps) {
  const { t } = useInstancesTranslation();
  const describe = useInstanceErrorMessage();
  const { message, detail } = describe(error);
  const fieldErrors = isApiError(error) ? error.fieldErrors.filter((e) => e.message) : [];
  return (
    <Alert variant="danger" className={className} role="alert">
      <div className="d-flex gap-2">
        <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
        <div className="flex-grow-1 text-break">
          {title ? <h2 className="alert-heading h6 mb-1">{title}</h2> : null}
          <p className="mb-0">{message}</p>
          {detail ? (
            <p className="mb-0 small mt-1">{t('errors.technicalDetail', { detail })}</p>
          ) : null}
          {fieldErrors.length > 0 ? (
            <ul className="mb-0 mt-2 small">
              {fieldErrors.map((fieldError) => (
                <li key={`${fieldError.field}:${fieldError.message}`}>
                  {fieldError.field ? <strong>{fieldError.field}: </strong> : null}
                  {fieldError.message}
                </li>
              ))}
            </ul>
          ) : null}
          {onRetry ? (
            <button type="button" className="btn btn-outline-danger btn-sm mt-2" onClick={onRetry}>
              <Icon name="arrow-clockwise" className="me-1" />
              {t('translation:common.retry')}
            </button>
          ) : null}
        </div>
      </div>
    </Alert>
  );
}
