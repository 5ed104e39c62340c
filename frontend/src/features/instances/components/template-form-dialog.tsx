import { zodResolver } from '@hookform/resolvers/zod';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import { Controller, useFieldArray, useForm, useWatch } from 'react-hook-form';
import * as z from 'zod';

import type { TemplateRead, TemplateWrite } from '../api/templates';
import { useSaveTemplate } from '../api/templates';
import type { EventName } from '../api/webhook-events';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { EventSelectionFields } from './events-card';
import { FormField } from './form-field';

const SWITCHES = [
  ['reject_call', 'settings.rejectCall'],
  ['groups_ignore', 'settings.groupsIgnore'],
  ['always_online', 'settings.alwaysOnline'],
  ['read_messages', 'settings.readMessages'],
  ['read_status', 'settings.readStatus'],
  ['sync_full_history', 'settings.syncFullHistory'],
] as const;

const tri = z.enum(['keep', 'on', 'off']);
const MAX_DESTINATIONS = 10;

const destinationSchema = z.object({
  name: z.string().trim().min(1, 'templates.form.required').max(100),
  url: z
    .string()
    .trim()
    .max(1000)
    .regex(/^https?:\/\/[A-Za-z0-9]/i, 'templates.form.urlInvalid'),
  secret_header_name: z
    .string()
    .trim()
    .max(64)
    .regex(/^([A-Za-z0-9][A-Za-z0-9-]*)?$/, 'templates.form.headerInvalid'),
  secret_header_value: z.string().max(1000),
  had_secret: z.boolean(),
});

const schema = z
  .object({
    name: z.string().trim().min(1, 'templates.form.required').max(100),
    description: z.string().max(500),
    manageEvents: z.boolean(),
    events: z.array(z.string()),
    reject_call: tri,
    groups_ignore: tri,
    always_online: tri,
    read_messages: tri,
    read_status: tri,
    sync_full_history: tri,
    manageMsgCall: z.boolean(),
    msg_call: z.string().max(100, 'settings.msgCallTooLong'),
    manageNumbers: z.boolean(),
    numbers: z.string().max(60_000),
    manageDestinations: z.boolean(),
    destinations: z.array(destinationSchema).max(MAX_DESTINATIONS),
  })
  .superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.destinations.forEach((destination, index) => {
      if (seen.has(destination.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', index, 'name'],
          message: 'templates.form.nameTaken',
        });
      }
      seen.add(destination.name);
      const needsValue =
        destination.secret_header_name !== '' &&
        destination.secret_header_value === '' &&
        !destination.had_secret;
      if (needsValue) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', index, 'secret_header_value'],
          message: 'templates.form.secretNeeded',
        });
      }
    });
  });

type Values = z.infer<typeof schema>;

function toTri(value: boolean | null | undefined): 'keep' | 'on' | 'off' {
  if (value === null || value === undefined) return 'keep';
  return value ? 'on' : 'off';
}

function initialValues(template: TemplateRead | null): Values {
  const settings = template?.settings ?? {};
  return {
    name: template?.name ?? '',
    description: template?.description ?? '',
    manageEvents: template ? template.events !== null : false,
    events: template?.events ?? [],
    reject_call: toTri(settings.reject_call),
    groups_ignore: toTri(settings.groups_ignore),
    always_online: toTri(settings.always_online),
    read_messages: toTri(settings.read_messages),
    read_status: toTri(settings.read_status),
    sync_full_history: toTri(settings.sync_full_history),
    manageMsgCall: typeof settings.msg_call === 'string',
    msg_call: settings.msg_call ?? '',
    manageNumbers: template ? template.allowed_numbers !== null : false,
    numbers: (template?.allowed_numbers ?? []).join('\n'),
    manageDestinations: template ? template.destinations !== null : false,
    destinations: (template?.destinations ?? []).map((d) => ({
      name: d.name,
      url: d.url,
      secret_header_name: d.secret_header_name ?? '',
      secret_header_value: '',
      had_secret: d.has_secret,
    })),
  };
}

function toBody(values: Values, template: TemplateRead | null): TemplateWrite {
  const settings: NonNullable<TemplateWrite['settings']> = {};
  for (const [name] of SWITCHES) {
    const value = values[name];
    if (value !== 'keep') settings[name] = value === 'on';
  }
  if (values.manageMsgCall) settings.msg_call = values.msg_call;
  const previous = new Map((template?.destinations ?? []).map((d) => [d.name, d]));
  return {
    name: values.name.trim(),
    description: values.description,
    events: values.manageEvents ? (values.events as EventName[]) : null,
    settings,
    allowed_numbers: values.manageNumbers
      ? values.numbers
          .split(/[\n,;]+/)
          .map((entry) => entry.trim())
          .filter(Boolean)
      : null,
    destinations: values.manageDestinations
      ? values.destinations.map((d) => {
          const header = d.secret_header_name.trim();
          const keep = previous.get(d.name)?.has_secret && d.secret_header_value === '';
          return {
            name: d.name.trim(),
            url: d.url.trim(),
            secret_header_name: header || null,
            ...(header && !keep ? { secret_header_value: d.secret_header_value } : {}),
          };
        })
      : null,
  };
}

export interface TemplateFormDialogProps {
  /** The template to edit; null to create one. */
  template: TemplateRead | null;
  onHide: () => void;
  onSaved: (template: TemplateRead) => void;
}

/** Create or edit a template: each section can be left unmanaged. */
export function TemplateFormDialog({ template, onHide, onSaved }: TemplateFormDialogProps) {
  const { t } = useInstancesTranslation();
  const describeError = useInstanceErrorMessage();
  const save = useSaveTemplate();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: initialValues(template),
  });
  const { register, control, handleSubmit, formState } = form;
  const destinations = useFieldArray({ control, name: 'destinations' });
  const [manageEvents, manageMsgCall, manageNumbers, manageDestinations] = useWatch({
    control,
    name: ['manageEvents', 'manageMsgCall', 'manageNumbers', 'manageDestinations'],
  });
  const error = (message: string | undefined) => (message ? t(message) : undefined);

  const submit = handleSubmit(async (values) => {
    const saved = await save.mutateAsync({ id: template?.id ?? null, body: toBody(values, template) });
    onSaved(saved);
  });

  return (
    <Modal show onHide={onHide} size="lg" scrollable aria-labelledby="template-form-title">
      <Form noValidate onSubmit={(event) => void submit(event)} className="d-contents">
        <Modal.Header closeButton closeLabel={t('bulk.close')}>
          <Modal.Title id="template-form-title" as="h2" className="h5">
            {template ? t('templates.form.editTitle', { name: template.name }) : t('templates.new')}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {save.isError ? (
            <Alert variant="danger">{describeError(save.error).message}</Alert>
          ) : null}
          <FormField id="template-name" label={t('templates.form.name')} error={error(formState.errors.name?.message)}>
            <Form.Control id="template-name" {...register('name')} isInvalid={!!formState.errors.name} />
          </FormField>
          <FormField id="template-description" label={t('templates.form.description')}>
            <Form.Control id="template-description" as="textarea" rows={2} {...register('description')} />
          </FormField>

          <fieldset className="mb-4">
            <legend className="h6">{t('templates.form.settings')}</legend>
            <p className="small text-body-secondary">{t('templates.form.settingsHelp')}</p>
            <div className="row g-2">
              {SWITCHES.map(([name, label]) => (
                <div className="col-sm-6" key={name}>
                  <Form.Group controlId={`template-${name}`}>
                    <Form.Label className="small mb-1">{t(label)}</Form.Label>
                    <Form.Select size="sm" {...register(name)}>
                      <option value="keep">{t('templates.form.keep')}</option>
                      <option value="on">{t('templates.diff.on')}</option>
                      <option value="off">{t('templates.diff.off')}</option>
                    </Form.Select>
                  </Form.Group>
                </div>
              ))}
            </div>
            <Form.Check
              id="template-manage-msg-call"
              className="mt-3"
              label={t('templates.form.manageMsgCall')}
              {...register('manageMsgCall')}
            />
            {manageMsgCall ? (
              <FormField id="template-msg-call" label={t('settings.msgCall')} error={error(formState.errors.msg_call?.message)}>
                <Form.Control id="template-msg-call" maxLength={100} {...register('msg_call')} />
              </FormField>
            ) : null}
          </fieldset>

          <fieldset className="mb-4">
            <legend className="h6">{t('templates.form.events')}</legend>
            <Form.Check
              id="template-manage-events"
              className="mb-2"
              label={t('templates.form.manageEvents')}
              {...register('manageEvents')}
            />
            {manageEvents ? (
              <Controller
                control={control}
                name="events"
                render={({ field }) => (
                  <EventSelectionFields
                    idPrefix="template-events"
                    selected={new Set(field.value as EventName[])}
                    onChange={(next) => field.onChange([...next])}
                  />
                )}
              />
            ) : null}
          </fieldset>

          <fieldset className="mb-4">
            <legend className="h6">{t('templates.form.numbers')}</legend>
            <Form.Check
              id="template-manage-numbers"
              className="mb-2"
              label={t('templates.form.manageNumbers')}
              {...register('manageNumbers')}
            />
            {manageNumbers ? (
              <FormField id="template-numbers" label={t('templates.form.numbersLabel')} help={t('templates.form.numbersHelp')}>
                <Form.Control id="template-numbers" as="textarea" rows={4} {...register('numbers')} />
              </FormField>
            ) : null}
          </fieldset>

          <fieldset>
            <legend className="h6">{t('templates.form.destinations')}</legend>
            <Form.Check
              id="template-manage-destinations"
              className="mb-2"
              label={t('templates.form.manageDestinations')}
              {...register('manageDestinations')}
            />
            {manageDestinations ? (
              <>
                {destinations.fields.map((field, index) => {
                  const errors = formState.errors.destinations?.[index];
                  return (
                    <div key={field.id} className="border rounded p-2 mb-2">
                      <div className="row g-2">
                        <div className="col-sm-4">
                          <FormField id={`dest-${index}-name`} label={t('templates.form.destName')} error={error(errors?.name?.message)} className="mb-0">
                            <Form.Control id={`dest-${index}-name`} size="sm" {...register(`destinations.${index}.name`)} isInvalid={!!errors?.name} />
                          </FormField>
                        </div>
                        <div className="col-sm-8">
                          <FormField id={`dest-${index}-url`} label={t('templates.form.destUrl')} error={error(errors?.url?.message)} className="mb-0">
                            <Form.Control id={`dest-${index}-url`} size="sm" type="url" {...register(`destinations.${index}.url`)} isInvalid={!!errors?.url} />
                          </FormField>
                        </div>
                        <div className="col-sm-4">
                          <FormField id={`dest-${index}-header`} label={t('templates.form.destHeader')} error={error(errors?.secret_header_name?.message)} className="mb-0">
                            <Form.Control id={`dest-${index}-header`} size="sm" autoComplete="off" {...register(`destinations.${index}.secret_header_name`)} />
                          </FormField>
                        </div>
                        <div className="col-sm-6">
                          <FormField
                            id={`dest-${index}-secret`}
                            label={t('templates.form.destSecret')}
                            error={error(errors?.secret_header_value?.message)}
                            help={field.had_secret ? t('templates.form.secretKept') : undefined}
                            className="mb-0"
                          >
                            <Form.Control id={`dest-${index}-secret`} size="sm" type="password" autoComplete="new-password" {...register(`destinations.${index}.secret_header_value`)} />
                          </FormField>
                        </div>
                        <div className="col-sm-2 d-flex align-items-end">
                          <Button
                            size="sm"
                            variant="outline-danger"
                            onClick={() => destinations.remove(index)}
                            aria-label={t('templates.form.removeDestination', { index: index + 1 })}
                          >
                            {t('templates.form.remove')}
                          </Button>
                        </div>
                      </div>
                    </div>
                  );
                })}
                {destinations.fields.length < MAX_DESTINATIONS ? (
                  <Button
                    size="sm"
                    variant="outline-primary"
                    onClick={() =>
                      destinations.append({
                        name: '',
                        url: '',
                        secret_header_name: '',
                        secret_header_value: '',
                        had_secret: false,
                      })
                    }
                  >
                    {t('templates.form.addDestination')}
                  </Button>
                ) : null}
                <p className="small text-body-secondary mt-2 mb-0">{t('templates.form.destinationsHelp')}</p>
              </>
            ) : null}
          </fieldset>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={onHide}>
            {t('form.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? <Spinner size="sm" className="me-2" aria-hidden /> : null}
            {t('templates.form.save')}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}
