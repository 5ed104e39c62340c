import Form from 'react-bootstrap/Form';
import { type Control, Controller, type FieldValues, type Path } from 'react-hook-form';

import { maskPhone } from '../lib/phone';

export interface PhoneInputProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  id: string;
  placeholder?: string;
  isInvalid?: boolean;
  describedBy?: string;
  disabled?: boolean;
}

/** A phone field that formats while typing: "+55 (11) 98765-4321". */
export function PhoneInput<T extends FieldValues>({
  control,
  name,
  id,
  placeholder,
  isInvalid,
  describedBy,
  disabled,
}: PhoneInputProps<T>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <Form.Control
          id={id}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          placeholder={placeholder}
          name={field.name}
          ref={field.ref}
          value={field.value}
          onChange={(event) => field.onChange(maskPhone(event.target.value))}
          onBlur={field.onBlur}
          isInvalid={isInvalid}
          aria-invalid={isInvalid}
          aria-describedby={describedBy}
          disabled={disabled}
        />
      )}
    />
  );
}
