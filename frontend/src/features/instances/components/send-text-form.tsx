import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import { useForm } from 'react-hook-form';
import * as z from 'zod';

import { useSendText } from '../api/instance-messages';
import { digitsOf } from '../lib/phone';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

const sendSchema = z.object({
  number: z
    .string()
    .trim()
    .min(1, 'messages.send.numberRequired')
    .refine((value) => {
      if (value === '') return true;
      if (value.includes('@')) return /^[^@\s]+@[a-z.]+$/i.test(value);
      const digits = digitsOf(value);
      return /^\+?[\d\s().-]+$/.test(value) && digits.length >= 10 && digits.length <= 15;
    }, 'messages.send.numberInvalid'),
  text: z
    .string()
    .refine((value) => value.trim() !== '', 'messages.send.textRequired')
    .refine((value) => value.length <= 4096, 'messages.send.textTooLong'),
});

type SendValues = z.infer<typeof sendSchema>;

export interface SendTextFormProps {
  instanceId: number;
  connected: boolean;
}

/** Sends a text from the instance (operators), to a number or a full JID. */
export function SendTextForm({ instanceId, connected }: SendTextFormProps) {
  const { t } = useInstancesTranslation();
  const send = useSendText(instanceId);
  const [sent, setSent] = useState(false);
  const {
    register,
    handleSubmit,
    resetField,
    formState: { errors },
  } = useForm<SendValues>({
    resolver: zodResolver(sendSchema),
    mode: 'onTouched',
    defaultValues: { number: '', text: '' },
  });

  const onSubmit = handleSubmit((values) => {
    setSent(false);
    send.mutate(
      { number: values.number.includes('@') ? values.number : digitsOf(values.number), text: values.text },
      {
        onSuccess: () => {
          resetField('text');
          setSent(true);
        },
      },
    );
  });

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="send" />
        <h2 className="h6 mb-0">{t('messages.send.title')}</h2>
      </Card.Header>
      <Card.Body>
        {!connected ? (
          <p className="small text-body-secondary">{t('messages.send.notConnected')}</p>
        ) : null}
        <Form noValidate onSubmit={(event) => void onSubmit(event)}>
          <fieldset disabled={!connected || send.isPending}>
            <legend className="visually-hidden">{t('messages.send.title')}</legend>
            <Form.Group className="mb-3" controlId="send-number">
              <Form.Label>{t('messages.send.number')}</Form.Label>
              <Form.Control
                type="text"
                inputMode="tel"
                autoComplete="off"
                placeholder={t('messages.send.numberPlaceholder')}
                isInvalid={Boolean(errors.number)}
                aria-invalid={Boolean(errors.number)}
                {...register('number')}
              />
              <Form.Control.Feedback type="invalid">
                {errors.number?.message ? t(errors.number.message) : null}
              </Form.Control.Feedback>
            </Form.Group>
            <Form.Group className="mb-3" controlId="send-text">
              <Form.Label>{t('messages.send.text')}</Form.Label>
              <Form.Control
                as="textarea"
                rows={3}
                isInvalid={Boolean(errors.text)}
                aria-invalid={Boolean(errors.text)}
                {...register('text')}
              />
              <Form.Control.Feedback type="invalid">
                {errors.text?.message ? t(errors.text.message) : null}
              </Form.Control.Feedback>
            </Form.Group>
            <Button type="submit">
              {send.isPending ? (
                <>
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('messages.send.sending')}
                </>
              ) : (
                <>
                  <FeatureIcon name="send" className="me-2" />
                  {t('messages.send.submit')}
                </>
              )}
            </Button>
          </fieldset>
        </Form>
        {send.isError ? <InstanceError error={send.error} className="mt-3 mb-0" /> : null}
        <div aria-live="polite">
          {sent ? (
            <Alert variant="success" className="py-2 mt-3 mb-0">
              {t('messages.send.sent')}
            </Alert>
          ) : null}
        </div>
      </Card.Body>
    </Card>
  );
}
