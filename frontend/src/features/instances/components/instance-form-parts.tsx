import type { ReactNode } from 'react';
import Button from 'react-bootstrap/Button';
import Spinner from 'react-bootstrap/Spinner';
import type { Control, FieldError, FieldValues, Path } from 'react-hook-form';

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
  errors: { phone?: FieldError };
}

/** The phone for pairing: shared by create and edit. (Relays are destinations now, on
 * the instance's page.) */
export function ContactFields<T extends FieldValues>({
  control,
  phoneName,
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
