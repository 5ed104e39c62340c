import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { getErrorMessage, isApiError } from '@/lib/api-error';

import { Icon } from './icon';

export interface ErrorStateProps {
  error: unknown;
  /** Heading; "Algo deu errado" by default. */
  title?: string;
  /** Shows a "Tentar novamente" button. */
  onRetry?: () => void;
  className?: string;
}

/** A failed request or render, explained in the UI language (ApiError details included). */
export function ErrorState({ error, title, onRetry, className }: ErrorStateProps) {
  const { t } = useTranslation();
  const fieldErrors = isApiError(error) ? error.fieldErrors.filter((e) => e.message) : [];
  return (
    <Alert variant="danger" className={className} role="alert">
      <div className="d-flex gap-2">
        <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
        <div className="flex-grow-1">
          <h2 className="alert-heading h6 mb-1">{title ?? t('errors.title')}</h2>
          <p className="mb-0">{getErrorMessage(error, t)}</p>
          {fieldErrors.length > 0 ? (
            <>
              <p className="mb-0 mt-2">{t('errors.fieldErrors')}</p>
              <ul className="mb-0">
                {fieldErrors.map((fieldError) => (
                  <li key={`${fieldError.field}:${fieldError.message}`}>
                    {fieldError.field ? <strong>{fieldError.field}: </strong> : null}
                    {fieldError.message}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {onRetry ? (
            <Button variant="outline-danger" size="sm" className="mt-3" onClick={onRetry}>
              <Icon name="arrow-clockwise" className="me-1" />
              {t('common.retry')}
            </Button>
          ) : null}
        </div>
      </div>
    </Alert>
  );
}
