import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import Table from 'react-bootstrap/Table';
import { useTranslation } from 'react-i18next';

import { instancesListInstances } from '@/api/generated/sdk.gen';
import type { ChannelCreateWritable, ChannelRead, RuleRead, RuleUpdate } from '@/api/generated/types.gen';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { TableScroll } from '@/components/ui/table-scroll';
import { getErrorMessage } from '@/lib/api-error';

import {
  useChannels,
  useCreateChannel,
  useDeleteChannel,
  useResetRule,
  useRules,
  useTestChannel,
  useUpdateChannel,
  useUpdateRule,
} from '../api/alerts';
import { useAlertsTranslation } from '../i18n';

type Note = { variant: 'success' | 'danger'; text: string } | null;

/** Admins: the rules (on/off, thresholds) and the notification channels. */
export function AlertSettings() {
  return (
    <>
      <RulesCard />
      <ChannelsCard />
    </>
  );
}

function RulesCard() {
  const { t } = useAlertsTranslation();
  const rules = useRules();
  return (
    <Card className="mb-4">
      <Card.Header>
        <h2 className="h5 mb-1">{t('settings.rulesTitle')}</h2>
        <p className="small text-body-secondary mb-0">{t('settings.rulesDescription')}</p>
      </Card.Header>
      <Card.Body>
        {rules.isPending ? (
          <LoadingState />
        ) : rules.isError ? (
          <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
        ) : (
          // A list, not a table: each rule stacks its controls on a phone and lines them
          // up as columns from the lg breakpoint (no sideways scrolling at 375 px).
          <ul className="list-unstyled mb-0" aria-label={t('settings.rulesTable')}>
            {rules.data.map((rule) => (
              <RuleRow key={`${rule.kind}:${String(rule.enabled)}:${JSON.stringify(rule.params)}`} rule={rule} />
            ))}
          </ul>
        )}
      </Card.Body>
    </Card>
  );
}

function RuleRow({ rule }: { rule: RuleRead }) {
  const { t } = useAlertsTranslation();
  const common = useTranslation();
  const update = useUpdateRule();
  const reset = useResetRule();
  const [enabled, setEnabled] = useState(rule.enabled);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(rule.params).map(([k, v]) => [k, String(v)])),
  );
  const name = t(`rules.${rule.kind}`);
  const save = () => {
    const change: RuleUpdate = { enabled };
    for (const [param, value] of Object.entries(values)) {
      (change as Record<string, number | boolean>)[param] = Number(value);
    }
    update.mutate({ kind: rule.kind, change });
  };
  return (
    <li data-testid={`rule-${rule.kind}`} className="border-bottom py-3">
      <div className="row g-2 align-items-start">
        <div className="col-12 col-lg-4">
          <div className="fw-semibold">
            {name} {rule.firing > 0 ? <Badge bg="danger">{rule.firing}</Badge> : null}
          </div>
          <div className="small text-body-secondary">{t(`ruleHelp.${rule.kind}`)}</div>
          {update.isError ? (
            <div className="small text-danger">{getErrorMessage(update.error, common.t)}</div>
          ) : null}
        </div>
        <div className="col-12 col-lg-2">
          <Form.Check
            type="switch"
            id={`rule-enabled-${rule.kind}`}
            label={t('settings.enabled')}
            aria-label={t('settings.enabledLabel', { name })}
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />
        </div>
        <div className="col-12 col-lg-4">
          <div className="d-flex flex-wrap gap-2">
            {Object.keys(rule.params).map((param) => (
              <Form.Group key={param} controlId={`rule-${rule.kind}-${param}`} style={{ width: '9rem' }}>
                <Form.Label className="small mb-0">{t(`settings.param.${param as 'failures'}`)}</Form.Label>
                <Form.Control
                  type="number"
                  size="sm"
                  min={1}
                  step={1}
                  value={values[param] ?? ''}
                  onChange={(e) => setValues({ ...values, [param]: e.target.value })}
                />
                <Form.Text className="small">{t('settings.default', { value: rule.defaults[param] })}</Form.Text>
              </Form.Group>
            ))}
          </div>
        </div>
        <div className="col-12 col-lg-2 text-lg-end">
          <Button size="sm" variant="primary" className="me-2" disabled={update.isPending} onClick={save}>
            {t('settings.save')}
          </Button>
          {rule.customized ? (
            <Button size="sm" variant="outline-secondary" disabled={reset.isPending} onClick={() => reset.mutate(rule.kind)}>
              {t('settings.reset')}
            </Button>
          ) : null}
        </div>
      </div>
    </li>
  );
}

function ChannelsCard() {
  const { t } = useAlertsTranslation();
  const common = useTranslation();
  const channels = useChannels();
  const test = useTestChannel();
  const toggle = useUpdateChannel();
  const remove = useDeleteChannel();
  const [note, setNote] = useState<Note>(null);

  const runTest = (channel: ChannelRead) => {
    setNote(null);
    test.mutate(channel.id, {
      onSuccess: (result) =>
        setNote(
          result.ok
            ? { variant: 'success', text: t('settings.testOk', { name: channel.name, ms: result.ms }) }
            : { variant: 'danger', text: t('settings.testFailed', { name: channel.name, error: result.error }) },
        ),
      onError: (error) => setNote({ variant: 'danger', text: getErrorMessage(error, common.t) }),
    });
  };

  return (
    <Card className="mb-4">
      <Card.Header>
        <h2 className="h5 mb-1">{t('settings.channelsTitle')}</h2>
        <p className="small text-body-secondary mb-0">{t('settings.channelsDescription')}</p>
      </Card.Header>
      <Card.Body>
        {note ? (
          <Alert variant={note.variant} dismissible onClose={() => setNote(null)} data-testid="channel-note">
            {note.text}
          </Alert>
        ) : null}
        {channels.isPending ? (
          <LoadingState />
        ) : channels.isError ? (
          <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
        ) : channels.data.length === 0 ? (
          <p className="text-body-secondary">{t('settings.noChannels')}</p>
        ) : (
          <TableScroll label={t('settings.channelsTable')}>
            <Table size="sm" className="align-middle">
              <tbody>
                {channels.data.map((channel) => (
                  <tr key={channel.id} data-testid="channel-row">
                    <td>
                      <div className="fw-semibold">{channel.name}</div>
                      <div className="small text-body-secondary">{t(`settings.kind.${channel.kind}`)}</div>
                    </td>
                    <td>
                      <Form.Check
                        type="switch"
                        id={`channel-enabled-${String(channel.id)}`}
                        aria-label={t('settings.toggleLabel', { name: channel.name })}
                        checked={channel.enabled}
                        onChange={(e) => toggle.mutate({ id: channel.id, change: { enabled: e.target.checked } })}
                      />
                    </td>
                    <td className="text-end text-nowrap">
                      <Button
                        size="sm"
                        variant="outline-primary"
                        className="me-2"
                        aria-label={t('settings.testLabel', { name: channel.name })}
                        disabled={test.isPending}
                        onClick={() => runTest(channel)}
                      >
                        {t('settings.test')}
                      </Button>
                      <Button
                        size="sm"
                        variant="outline-danger"
                        aria-label={t('settings.removeLabel', { name: channel.name })}
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(channel.id)}
                      >
                        {t('settings.remove')}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </TableScroll>
        )}
        <ChannelForm onAdded={() => setNote({ variant: 'success', text: t('settings.added') })} />
      </Card.Body>
    </Card>
  );
}

type Kind = 'webhook' | 'whatsapp' | 'email';
const EMPTY_FIELDS = {
  name: '',
  url: '',
  format: 'json',
  instance: '',
  numbers: '',
  host: '',
  port: '587',
  security: 'starttls',
  username: '',
  password: '',
  sender: '',
  to: '',
};
type Fields = typeof EMPTY_FIELDS;

const split = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

function ChannelForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useAlertsTranslation();
  const common = useTranslation();
  const create = useCreateChannel();
  const [kind, setKind] = useState<Kind>('webhook');
  const [fields, setFields] = useState<Fields>(EMPTY_FIELDS);
  const set = (name: keyof Fields) => (e: { target: { value: string } }) =>
    setFields({ ...fields, [name]: e.target.value });
  const instances = useQuery({
    queryKey: ['alerts', 'sending-instances'],
    queryFn: async ({ signal }) =>
      (await instancesListInstances({ query: { status: ['open'], page_size: 200 }, signal, throwOnError: true }))
        .data.items,
    enabled: kind === 'whatsapp',
  });

  const submit = () => {
    const name = fields.name;
    let body: ChannelCreateWritable;
    if (kind === 'webhook') {
      body = { name, config: { kind, url: fields.url, format: (fields.format) as 'json' } };
    } else if (kind === 'whatsapp') {
      body = { name, config: { kind, instance_id: Number(fields.instance), numbers: split(fields.numbers) } };
    } else {
      body = {
        name,
        config: {
          kind,
          host: fields.host,
          port: Number(fields.port),
          security: (fields.security) as 'starttls',
          username: fields.username || null,
          sender: fields.sender,
          to: split(fields.to),
          ...(fields.password ? { password: fields.password } : {}),
        },
      };
    }
    create.mutate(body, {
      onSuccess: () => {
        setFields(EMPTY_FIELDS);
        onAdded();
      },
    });
  };

  const text = (name: keyof Fields, label: string, type = 'text') => (
    <Form.Group className="col-sm-6 col-lg-4" controlId={`channel-${name}`}>
      <Form.Label className="small mb-1">{label}</Form.Label>
      <Form.Control type={type} value={fields[name]} onChange={set(name)} autoComplete="off" />
    </Form.Group>
  );

  return (
    <Form
      className="row g-2 align-items-end border-top pt-3"
      aria-label={t('settings.add')}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Form.Group className="col-sm-6 col-lg-4" controlId="channel-kind">
        <Form.Label className="small mb-1">{t('settings.form.kind')}</Form.Label>
        <Form.Select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {(['webhook', 'whatsapp', 'email'] as const).map((value) => (
            <option key={value} value={value}>
              {t(`settings.kind.${value}`)}
            </option>
          ))}
        </Form.Select>
      </Form.Group>
      {text('name', t('settings.form.name'))}
      {kind === 'webhook' ? (
        <>
          {text('url', t('settings.form.url'), 'url')}
          <Form.Group className="col-sm-6 col-lg-4" controlId="channel-format">
            <Form.Label className="small mb-1">{t('settings.form.format')}</Form.Label>
            <Form.Select value={fields.format} onChange={set('format')}>
              {(['json', 'slack', 'discord'] as const).map((value) => (
                <option key={value} value={value}>
                  {t(`settings.form.formats.${value}`)}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
        </>
      ) : null}
      {kind === 'whatsapp' ? (
        <>
          <Form.Group className="col-sm-6 col-lg-4" controlId="channel-instance">
            <Form.Label className="small mb-1">{t('settings.form.instance')}</Form.Label>
            <Form.Select value={fields.instance} onChange={set('instance')}>
              <option value="">{t('settings.form.chooseInstance')}</option>
              {(instances.data ?? []).map((instance) => (
                <option key={instance.id} value={instance.id}>
                  {instance.display_name} ({instance.name})
                </option>
              ))}
            </Form.Select>
          </Form.Group>
          {text('numbers', t('settings.form.numbers'))}
        </>
      ) : null}
      {kind === 'email' ? (
        <>
          {text('host', t('settings.form.host'))}
          {text('port', t('settings.form.port'), 'number')}
          <Form.Group className="col-sm-6 col-lg-4" controlId="channel-security">
            <Form.Label className="small mb-1">{t('settings.form.security')}</Form.Label>
            <Form.Select value={fields.security} onChange={set('security')}>
              {(['starttls', 'tls', 'none'] as const).map((value) => (
                <option key={value} value={value}>
                  {t(`settings.form.securities.${value}`)}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
          {text('username', t('settings.form.username'))}
          {text('password', t('settings.form.password'), 'password')}
          {text('sender', t('settings.form.sender'), 'email')}
          {text('to', t('settings.form.to'))}
        </>
      ) : null}
      <div className="col-12">
        {create.isError ? <div className="text-danger small mb-2">{getErrorMessage(create.error, common.t)}</div> : null}
        <Button type="submit" disabled={create.isPending}>
          {t('settings.add')}
        </Button>
      </div>
    </Form>
  );
}
