import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import { useForm, useWatch } from 'react-hook-form';
import * as z from 'zod';

import type { InstanceSettingsRead } from '@/api/generated/types.gen';
import { LoadingState } from '@/components/ui/loading-state';

import { useInstanceSettings, useWriteInstanceSettings } from '../api/instance-settings';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

const settingsSchema = z.object({
  reject_call: z.boolean(),
  msg_call: z.string().max(100, 'settings.msgCallTooLong'),
  groups_ignore: z.boolean(),
  always_online: z.boolean(),
  read_messages: z.boolean(),
  read_status: z.boolean(),
  sync_full_history: z.boolean(),
});

type SettingsValues = z.infer<typeof settingsSchema>;

const SWITCHES: { name: Exclude<keyof SettingsValues, 'msg_call' | 'reject_call'>; label: string; restart?: boolean }[] = [
  { name: 'groups_ignore', label: 'settings.groupsIgnore' },
  { name: 'always_online', label: 'settings.alwaysOnline', restart: true },
  { name: 'read_messages', label: 'settings.readMessages' },
  { name: 'read_status', label: 'settings.readStatus' },
  { name: 'sync_full_history', label: 'settings.syncFullHistory', restart: true },
];

export interface SettingsFormProps {
  instanceId: number;
  canOperate: boolean;
}

/** The instance's behaviour on Evolution, read live from the server and written back. */
export function SettingsForm({ instanceId, canOperate }: SettingsFormProps) {
  const { t } = useInstancesTranslation();
  const settings = useInstanceSettings(instanceId);

  let body;
  if (settings.isPending) {
    body = <LoadingState label={t('settings.loading')} />;
  } else if (settings.isError) {
    body = (
      <>
        <InstanceError error={settings.error} onRetry={() => void settings.refetch()} />
        <p className="small text-body-secondary mb-0">{t('settings.unavailable')}</p>
      </>
    );
  } else {
    body = (
      <SettingsFields
        instanceId={instanceId}
        initial={settings.data}
        canOperate={canOperate}
      />
    );
  }

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="gear" />
        <h2 className="h6 mb-0">{t('settings.title')}</h2>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('settings.description')}</p>
        {body}
      </Card.Body>
    </Card>
  );
}

function SettingsFields({
  instanceId,
  initial,
  canOperate,
}: {
  instanceId: number;
  initial: InstanceSettingsRead;
  canOperate: boolean;
}) {
  const { t } = useInstancesTranslation();
  const write = useWriteInstanceSettings(instanceId);
  const [saved, setSaved] = useState(false);
  const {
    register,
    control,
    handleSubmit,
    reset,
    formState: { errors, isDirty },
  } = useForm<SettingsValues>({
    resolver: zodResolver(settingsSchema),
    mode: 'onChange',
    defaultValues: {
      reject_call: initial.reject_call ?? false,
      msg_call: initial.msg_call ?? '',
      groups_ignore: initial.groups_ignore ?? false,
      always_online: initial.always_online ?? false,
      read_messages: initial.read_messages ?? false,
      read_status: initial.read_status ?? false,
      sync_full_history: initial.sync_full_history ?? false,
    },
  });
  const rejectCall = useWatch({ control, name: 'reject_call' });

  const onSubmit = handleSubmit((values) => {
    setSaved(false);
    write.mutate(values, {
      onSuccess: (data) => {
        // What Evolution now has becomes the form's saved state.
        reset({ ...values, ...data, msg_call: data.msg_call ?? '' });
        setSaved(true);
      },
    });
  });

  return (
    <Form noValidate onSubmit={(event) => void onSubmit(event)}>
      <fieldset disabled={!canOperate || write.isPending}>
        <legend className="visually-hidden">{t('settings.title')}</legend>
        <Form.Check
          type="switch"
          id="settings-reject-call"
          label={t('settings.rejectCall')}
          className="mb-2"
          {...register('reject_call')}
        />
        {rejectCall ? (
          <Form.Group className="mb-3 ms-md-4" controlId="settings-msg-call">
            <Form.Label className="small">{t('settings.msgCall')}</Form.Label>
            <Form.Control
              maxLength={100}
              isInvalid={Boolean(errors.msg_call)}
              aria-describedby="settings-msg-call-help"
              {...register('msg_call')}
            />
            <Form.Control.Feedback type="invalid">
              {errors.msg_call?.message ? t(errors.msg_call.message) : null}
            </Form.Control.Feedback>
            <Form.Text id="settings-msg-call-help">{t('settings.msgCallHelp')}</Form.Text>
          </Form.Group>
        ) : null}
        {SWITCHES.map((item) => (
          <Form.Check
            key={item.name}
            type="switch"
            id={`settings-${item.name}`}
            className="mb-2"
            label={
              <>
                {t(item.label)}
                {item.restart ? (
                  <span className="d-block small text-body-secondary">{t('settings.needsRestart')}</span>
                ) : null}
              </>
            }
            {...register(item.name)}
          />
        ))}
      </fieldset>
      {write.isError ? <InstanceError error={write.error} className="mt-3" /> : null}
      <div aria-live="polite">
        {saved && !isDirty ? (
          <Alert variant="success" className="py-2 mt-3 mb-0">
            {t('settings.saved')}
          </Alert>
        ) : null}
      </div>
      {canOperate ? (
        <Button type="submit" className="mt-3" disabled={!isDirty || write.isPending}>
          {write.isPending ? (
            <>
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
              {t('settings.saving')}
            </>
          ) : (
            t('settings.save')
          )}
        </Button>
      ) : null}
    </Form>
  );
}
