import { zodResolver } from '@hookform/resolvers/zod';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import { useForm } from 'react-hook-form';

import type { Instance } from '../api/get-instances';
import { useUpdateInstance } from '../api/save-instance';
import { fieldDescriptionIds } from '../lib/field-ids';
import {
  API_FIELDS,
  type InstanceEditValues,
  instanceEditSchema,
} from '../lib/instance-form-schema';
import { digitsOf, maskStoredPhone } from '../lib/phone';
import { useInstancesTranslation } from '../locales';
import { FormField } from './form-field';
import { InstanceError } from './instance-error';
import { ContactFields, FormActions } from './instance-form-parts';

export interface InstanceEditFormProps {
  instance: Instance;
  serverName?: string;
  onSaved: (instance: Instance) => void;
  onCancel: () => void;
}

const EDITABLE = ['displayName', 'phone', 'retentionDays'] as const;

/** Edits what can change after creation: the display name, the phone and how long its
 * messages are kept. */
export function InstanceEditForm({
  instance,
  serverName,
  onSaved,
  onCancel,
}: InstanceEditFormProps) {
  const { t } = useInstancesTranslation();
  const {
    register,
    control,
    handleSubmit,
    setError,
    formState: { errors, isDirty },
  } = useForm<InstanceEditValues>({
    resolver: zodResolver(instanceEditSchema),
    mode: 'onChange',
    defaultValues: {
      displayName: instance.display_name,
      phone: maskStoredPhone(instance.phone_number),
      retentionDays:
        instance.message_retention_days == null ? '' : String(instance.message_retention_days),
    },
  });
  const update = useUpdateInstance(instance.id);

  const onSubmit = handleSubmit((values) => {
    const phone = digitsOf(values.phone);
    const days = values.retentionDays.trim() === '' ? null : Number(values.retentionDays);
    update.mutate(
      {
        display_name: values.displayName.trim(),
        // Only send what changed: an unchanged phone stays as it is.
        ...(phone !== (instance.phone_number ?? '') ? { phone_number: phone || null } : {}),
        ...(days !== (instance.message_retention_days ?? null)
          ? { message_retention_days: days }
          : {}),
      },
      {
        onSuccess: (instance) => onSaved(instance),
        onError: (error) => {
          for (const fieldError of error.fieldErrors) {
            const field =
              fieldError.field === 'message_retention_days'
                ? 'retentionDays'
                : API_FIELDS[fieldError.field];
            const editable = EDITABLE.find((name) => name === field);
            if (editable) setError(editable, { message: fieldError.message });
          }
        },
      },
    );
  });

  const describe = (id: string, invalid: boolean) =>
    fieldDescriptionIds(id, { help: true, error: invalid });

  return (
    <Form noValidate onSubmit={(event) => void onSubmit(event)}>
      {update.isError ? (
        <InstanceError error={update.error} title={t('form.failed')} className="mb-4" />
      ) : null}
      <Card className="mb-4">
        <Card.Body>
          <dl className="row mb-0 small">
            <dt className="col-sm-4 text-body-secondary fw-normal">{t('form.name')}</dt>
            <dd className="col-sm-8 font-monospace">{instance.name}</dd>
            <dt className="col-sm-4 text-body-secondary fw-normal">{t('form.server')}</dt>
            <dd className="col-sm-8 mb-0">{serverName ?? `#${String(instance.server_id)}`}</dd>
          </dl>
        </Card.Body>
      </Card>
      <Card className="mb-4">
        <Card.Body>
          <FormField
            id="instance-display-name"
            label={t('form.displayName')}
            help={t('form.displayNameHelp')}
            error={errors.displayName?.message}
          >
            <Form.Control
              id="instance-display-name"
              autoComplete="off"
              isInvalid={Boolean(errors.displayName)}
              aria-invalid={Boolean(errors.displayName)}
              aria-describedby={describe('instance-display-name', Boolean(errors.displayName))}
              {...register('displayName')}
            />
          </FormField>
          <ContactFields
            control={control}
            phoneName="phone"
            errors={errors}
          />
          <FormField
            id="instance-retention"
            label={t('form.retention')}
            help={t('form.retentionHelp')}
            error={errors.retentionDays?.message}
            className="mb-0"
          >
            <Form.Control
              id="instance-retention"
              inputMode="numeric"
              autoComplete="off"
              isInvalid={Boolean(errors.retentionDays)}
              aria-invalid={Boolean(errors.retentionDays)}
              aria-describedby={describe('instance-retention', Boolean(errors.retentionDays))}
              {...register('retentionDays')}
            />
          </FormField>
        </Card.Body>
      </Card>
      <FormActions pending={update.isPending} disabled={!isDirty} onCancel={onCancel}>
        {t('form.submitEdit')}
      </FormActions>
    </Form>
  );
}
