import type { ReactNode } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import type { Control, FieldError, FieldValues, Path, UseFormRegisterReturn } from 'react-hook-form';

import { fieldDescriptionIds } from '../lib/field-ids';
import { useInstancesTranslation } from '../locales';
import { FormField } from './form-field';
import { PhoneInput } from './phone-input';

const describe = (id: string, invalid: boolean) =>
  fieldDescriptionIds(id, { help: true, error: invalid });

export interface ContactFieldsProps<T extends FieldValues> {
  control: Control<T>;
  /** The form's phone field (masked while typing). */
  phoneName: Path<T>;
  /** `register('forwardUrl')` of the form. */
  forwardUrl: UseFormRegisterReturn;
  errors: { phone?: FieldError; forwardUrl?: FieldError };
}

/** The phone for pairing and the forward URL, side by side: shared by create and edit. */
export function ContactFields<T extends FieldValues>({
  control,
  phoneName,
  forwardUrl,
  errors,
}: ContactFieldsProps<T>) {
  const { t } = useInstancesTranslation();
  return (
    <div className="row g-3">
      <div className="col-md-6">
        <FormField
          id="instance-phone"
          label={t('form.phone')}
          help={t('form.phoneHelp')}
          error={errors.phone?.message}
          className=""
        >
          <PhoneInput
            control={control}
            name={phoneName}
            id="instance-phone"
            placeholder={t('form.phonePlaceholder')}
            isInvalid={Boolean(errors.phone)}
            describedBy={describe('instance-phone', Boolean(errors.phone))}
          />
        </FormField>
      </div>
      <div className="col-md-6">
        <FormField
          id="instance-forward-url"
          label={t('form.forwardUrl')}
          help={t('form.forwardUrlHelp')}
          error={errors.forwardUrl?.message}
          className=""
        >
          <Form.Control
            id="instance-forward-url"
            type="url"
            inputMode="url"
            placeholder="https://"
            isInvalid={Boolean(errors.forwardUrl)}
            aria-invalid={Boolean(errors.forwardUrl)}
            aria-describedby={describe('instance-forward-url', Boolean(errors.forwardUrl))}
            {...forwardUrl}
          />
        </FormField>
      </div>
    </div>
  );
}

export interface FormActionsProps {
  pending: boolean;
  disabled?: boolean;
  onCancel: () => void;
  /** The submit button's label when not saving. */
  children: ReactNode;
}

/** Cancel and submit, stacked on phones; the submit shows "Salvando…" while pending. */
export function FormActions({ pending, disabled = false, onCancel, children }: FormActionsProps) {
  const { t } = useInstancesTranslation();
  return (
    <div className="d-flex flex-column-reverse flex-sm-row justify-content-end gap-2">
      <Button variant="outline-secondary" onClick={onCancel} disabled={pending}>
        {t('form.cancel')}
      </Button>
      <Button
        type="submit"
        variant="primary"
        className="btn-gradient"
        disabled={pending || disabled}
      >
        {pending ? (
          <>
            <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
            {t('form.saving')}
          </>
        ) : (
          children
        )}
      </Button>
    </div>
  );
}
