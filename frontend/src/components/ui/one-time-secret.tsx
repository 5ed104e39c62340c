import { useId } from 'react';
import Alert from 'react-bootstrap/Alert';
import { useTranslation } from 'react-i18next';

import { CopyButton } from './copy-button';
import { Icon } from './icon';

export interface OneTimeSecretProps {
  /** The secret (a generated password, an API key). */
  value: string;
  /** What it is, e.g. "Senha gerada"; labels the field and the copy button. */
  label: string;
}

/**
 * A secret the API returns once and never again: shown in a read-only field with a copy
 * button and a clear "shown only once" warning.
 */
export function OneTimeSecret({ value, label }: OneTimeSecretProps) {
  const { t } = useTranslation();
  const labelId = useId();
  return (
    <div className="one-time-secret">
      <p className="form-label fw-semibold mb-1" id={labelId}>
        {label}
      </p>
      <div className="input-group mb-2">
        <input
          type="text"
          readOnly
          className="form-control font-monospace"
          value={value}
          aria-labelledby={labelId}
          onFocus={(event) => event.currentTarget.select()}
          data-testid="one-time-secret"
        />
        <CopyButton
          text={value}
          label={t('common.copyNamed', { name: label })}
          visibleLabel={t('common.copy')}
          showLabel
          variant="primary"
          size={undefined}
        />
      </div>
      <Alert variant="warning" className="d-flex gap-2 mb-0 small py-2">
        <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
        <span>{t('common.shownOnce')}</span>
      </Alert>
    </div>
  );
}
