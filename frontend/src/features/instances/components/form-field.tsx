import type { ReactNode } from 'react';
import Form from 'react-bootstrap/Form';

import { useInstancesTranslation } from '../locales';

export interface FormFieldProps {
  id: string;
  label: string;
  help?: ReactNode;
  /** An i18n key of the "instances" namespace, or a message from the API as it came. */
  error?: string;
  children: ReactNode;
  className?: string;
}

/**
 * Label, control, help and error of one field. The control gets `id` and should point
 * `aria-describedby` at `fieldDescriptionIds(id)`.
 */
export function FormField({
  id,
  label,
  help,
  error,
  children,
  className = 'mb-3',
}: FormFieldProps) {
  const { t, i18n } = useInstancesTranslation();
  const message = error && i18n.exists(error, { ns: 'instances' }) ? t(error) : error;
  return (
    <Form.Group className={className}>
      <Form.Label htmlFor={id}>{label}</Form.Label>
      {children}
      {message ? (
        <div id={`${id}-error`} className="invalid-feedback d-block">
          {message}
        </div>
      ) : null}
      {help ? (
        <Form.Text id={`${id}-help`} className="d-block">
          {help}
        </Form.Text>
      ) : null}
    </Form.Group>
  );
}
