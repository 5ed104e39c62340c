import { zodResolver } from '@hookform/resolvers/zod';
import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import { useForm } from 'react-hook-form';
import * as z from 'zod';

import type { ReconnectLinkCreated } from '@/api/generated/types.gen';
import { OneTimeSecret } from '@/components/ui/one-time-secret';

import type { Instance } from '../api/get-instances';
import { useCreateReconnectLink, useSendLink, useSenderInstances } from '../api/reconnect-links';
import { digitsOf } from '../lib/phone';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';
import { PhoneInput } from './phone-input';

const EXPIRY_HOURS = ['1', '6', '24', '72', '168'] as const;

const createSchema = z.object({
  expiresInHours: z.enum(EXPIRY_HOURS),
  use: z.enum(['until_connected', 'single_use']),
  pin: z
    .string()
    .trim()
    .refine((value) => value === '' || /^[0-9]{4,8}$/.test(value), 'reconnect.dialog.pinInvalid'),
});
type CreateValues = z.infer<typeof createSchema>;

export interface ReconnectLinkDialogProps {
  instance: Instance;
  show: boolean;
  onHide: () => void;
}

/** Creates a reconnect link, then shows it once with copy and "send by WhatsApp". */
export function ReconnectLinkDialog({ instance, show, onHide }: ReconnectLinkDialogProps) {
  const { t } = useInstancesTranslation();
  const create = useCreateReconnectLink(instance.id);
  const [created, setCreated] = useState<ReconnectLinkCreated | null>(null);
  const formId = useId();
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors },
  } = useForm<CreateValues>({
    resolver: zodResolver(createSchema),
    mode: 'onTouched',
    defaultValues: { expiresInHours: '24', use: 'until_connected', pin: '' },
  });

  const onSubmit = handleSubmit((values) => {
    create.mutate(
      {
        expires_in_hours: Number(values.expiresInHours),
        single_use: values.use === 'single_use',
        pin: values.pin || null,
      },
      { onSuccess: setCreated },
    );
  });

  return (
    <Modal
      show={show}
      onHide={onHide}
      onExited={() => {
        setCreated(null);
        create.reset();
        reset();
      }}
      centered
      aria-labelledby={`${formId}-title`}
    >
      <Modal.Header closeButton closeLabel={t('reconnect.dialog.cancel')}>
        <Modal.Title id={`${formId}-title`} as="h2" className="h5">
          {t('reconnect.dialog.title')}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {created ? (
          <>
            <OneTimeSecret value={created.url} label={t('reconnect.dialog.url')} />
            <SendLinkForm instance={instance} url={created.url} pinProtected={created.pin_protected} />
          </>
        ) : (
          <Form id={formId} noValidate onSubmit={(event) => void onSubmit(event)}>
            <fieldset disabled={create.isPending}>
              <legend className="visually-hidden">{t('reconnect.dialog.title')}</legend>
              <Form.Group className="mb-3" controlId={`${formId}-expiry`}>
                <Form.Label>{t('reconnect.dialog.expiry')}</Form.Label>
                <Form.Select {...register('expiresInHours')}>
                  {EXPIRY_HOURS.map((hours) => (
                    <option key={hours} value={hours}>
                      {t(`reconnect.dialog.hours.${hours}`)}
                    </option>
                  ))}
                </Form.Select>
              </Form.Group>
              <fieldset className="mb-3">
                <legend className="form-label fs-6 mb-1">{t('reconnect.dialog.use')}</legend>
                <Form.Check
                  type="radio"
                  id={`${formId}-until`}
                  value="until_connected"
                  label={t('reconnect.untilConnected')}
                  aria-describedby={`${formId}-until-help`}
                  {...register('use')}
                />
                <Form.Text id={`${formId}-until-help`} className="d-block ms-4 mb-2">
                  {t('reconnect.dialog.untilConnectedHelp')}
                </Form.Text>
                <Form.Check
                  type="radio"
                  id={`${formId}-single`}
                  value="single_use"
                  label={t('reconnect.singleUse')}
                  aria-describedby={`${formId}-single-help`}
                  {...register('use')}
                />
                <Form.Text id={`${formId}-single-help`} className="d-block ms-4">
                  {t('reconnect.dialog.singleUseHelp')}
                </Form.Text>
              </fieldset>
              <Form.Group controlId={`${formId}-pin`}>
                <Form.Label>{t('reconnect.dialog.pin')}</Form.Label>
                <Form.Control
                  type="text"
                  inputMode="numeric"
                  autoComplete="off"
                  maxLength={8}
                  isInvalid={Boolean(errors.pin)}
                  aria-invalid={Boolean(errors.pin)}
                  aria-describedby={`${formId}-pin-help`}
                  {...register('pin')}
                />
                <Form.Text id={`${formId}-pin-help`}>{t('reconnect.dialog.pinHelp')}</Form.Text>
                <Form.Control.Feedback type="invalid">
                  {errors.pin?.message ? t(errors.pin.message) : null}
                </Form.Control.Feedback>
              </Form.Group>
            </fieldset>
            {create.isError ? (
              <InstanceError error={create.error} title={t('reconnect.dialog.failed')} className="mt-3 mb-0" />
            ) : null}
          </Form>
        )}
      </Modal.Body>
      <Modal.Footer>
        {created ? (
          <Button onClick={onHide}>{t('reconnect.dialog.done')}</Button>
        ) : (
          <>
            <Button variant="outline-secondary" onClick={onHide}>
              {t('reconnect.dialog.cancel')}
            </Button>
            <Button type="submit" form={formId} disabled={create.isPending}>
              {create.isPending ? (
                <>
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('reconnect.dialog.creating')}
                </>
              ) : (
                t('reconnect.dialog.create')
              )}
            </Button>
          </>
        )}
      </Modal.Footer>
    </Modal>
  );
}

function sendSchema(url: string) {
  return z.object({
    fromId: z.string().min(1, 'reconnect.send.fromRequired'),
    number: z.string().refine((value) => {
      const digits = digitsOf(value).length;
      return digits >= 10 && digits <= 15;
    }, 'reconnect.send.numberInvalid'),
    text: z
      .string()
      .refine((value) => value.trim() !== '', 'reconnect.send.textRequired')
      .refine((value) => value.includes(url), 'reconnect.send.textNeedsLink')
      .refine((value) => value.length <= 4096, 'reconnect.send.textRequired'),
  });
}
type SendValues = z.infer<ReturnType<typeof sendSchema>>;

/** "Send by WhatsApp": the link as a text from another connected instance. */
function SendLinkForm({ instance, url, pinProtected }: { instance: Instance; url: string; pinProtected: boolean }) {
  const { t } = useInstancesTranslation();
  const ids = useId();
  const senders = useSenderInstances(instance.id, true);
  const send = useSendLink();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<SendValues>({
    resolver: zodResolver(sendSchema(url)),
    mode: 'onTouched',
    defaultValues: {
      fromId: '',
      number: '',
      text: t('reconnect.send.message', { name: instance.display_name, url }),
    },
  });

  const onSubmit = handleSubmit((values) => {
    setSentTo(null);
    send.mutate(
      { fromId: Number(values.fromId), body: { number: digitsOf(values.number), text: values.text } },
      { onSuccess: () => setSentTo(values.number) },
    );
  });

  const options = senders.data ?? [];
  return (
    <section className="mt-4" aria-labelledby={`${ids}-title`}>
      <h3 className="h6 d-flex align-items-center gap-2" id={`${ids}-title`}>
        <FeatureIcon name="send" />
        {t('reconnect.send.title')}
      </h3>
      {senders.isSuccess && options.length === 0 ? (
        <p className="small text-body-secondary mb-0">{t('reconnect.send.noSender')}</p>
      ) : (
        <Form noValidate onSubmit={(event) => void onSubmit(event)}>
          <fieldset disabled={send.isPending || !senders.isSuccess}>
            <legend className="visually-hidden">{t('reconnect.send.title')}</legend>
            <Form.Group className="mb-3" controlId={`${ids}-from`}>
              <Form.Label>{t('reconnect.send.from')}</Form.Label>
              <Form.Select isInvalid={Boolean(errors.fromId)} aria-invalid={Boolean(errors.fromId)} {...register('fromId')}>
                <option value="">{t('reconnect.send.fromPlaceholder')}</option>
                {options.map((item) => (
                  <option key={item.id} value={String(item.id)}>
                    {item.display_name}
                  </option>
                ))}
              </Form.Select>
              <Form.Control.Feedback type="invalid">
                {errors.fromId?.message ? t(errors.fromId.message) : null}
              </Form.Control.Feedback>
            </Form.Group>
            <Form.Group className="mb-3">
              <Form.Label htmlFor={`${ids}-number`}>{t('reconnect.send.number')}</Form.Label>
              <PhoneInput
                control={control}
                name="number"
                id={`${ids}-number`}
                placeholder={t('reconnect.send.numberPlaceholder')}
                isInvalid={Boolean(errors.number)}
                describedBy={errors.number ? `${ids}-number-error` : undefined}
              />
              <Form.Control.Feedback type="invalid" id={`${ids}-number-error`}>
                {errors.number?.message ? t(errors.number.message) : null}
              </Form.Control.Feedback>
            </Form.Group>
            <Form.Group className="mb-3" controlId={`${ids}-text`}>
              <Form.Label>{t('reconnect.send.text')}</Form.Label>
              <Form.Control
                as="textarea"
                rows={4}
                isInvalid={Boolean(errors.text)}
                aria-invalid={Boolean(errors.text)}
                {...register('text')}
              />
              <Form.Control.Feedback type="invalid">
                {errors.text?.message ? t(errors.text.message) : null}
              </Form.Control.Feedback>
              {pinProtected ? <Form.Text>{t('reconnect.send.pinNotIncluded')}</Form.Text> : null}
            </Form.Group>
            <Button type="submit" variant="outline-primary">
              {send.isPending ? (
                <>
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('reconnect.send.sending')}
                </>
              ) : (
                <>
                  <FeatureIcon name="send" className="me-2" />
                  {t('reconnect.send.submit')}
                </>
              )}
            </Button>
          </fieldset>
        </Form>
      )}
      {senders.isError ? <InstanceError error={senders.error} className="mt-3 mb-0" /> : null}
      {send.isError ? <InstanceError error={send.error} className="mt-3 mb-0" /> : null}
      <div aria-live="polite">
        {sentTo ? (
          <Alert variant="success" className="py-2 mt-3 mb-0">
            {t('reconnect.send.sent', { number: sentTo })}
          </Alert>
        ) : null}
      </div>
    </section>
  );
}
