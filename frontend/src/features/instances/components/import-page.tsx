import './instances.css';

import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import type { ImportResultRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { StatusBadge } from '@/components/ui/status-badge';
import { paths } from '@/config/paths';
import { formatPhone, phoneDigits } from '@/lib/format-br';

import { useServerOptions } from '../api/get-servers';
import { useImportable, useImportInstances } from '../api/import-instances';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';
import { TableScroll } from '@/components/ui/table-scroll';

/** Importar: list a server's instances that evodash does not manage yet, pick, adopt. */
export function ImportPage() {
  const { t } = useInstancesTranslation();
  const servers = useServerOptions();
  const [serverId, setServerId] = useState<number | null>(null);
  const [result, setResult] = useState<ImportResultRead | null>(null);
  const onlyServer = servers.data?.length === 1 ? (servers.data[0]?.id ?? null) : null;
  const chosen = serverId ?? onlyServer;

  return (
    <>
      <Link to={paths.instances.getHref()} className="d-inline-flex align-items-center gap-1 small mb-2">
        <FeatureIcon name="arrow-left" />
        {t('import.back')}
      </Link>
      <PageHeader title={t('import.title')} description={t('import.description')} />
      {servers.isPending ? (
        <LoadingState />
      ) : servers.isError ? (
        <InstanceError error={servers.error} onRetry={() => void servers.refetch()} />
      ) : servers.data.length === 0 ? (
        <EmptyState
          icon="hdd-network"
          title={t('import.noServers')}
          action={
            <Link to={paths.servers.getHref()} className="btn btn-primary">
              {t('translation:nav.servers')}
            </Link>
          }
        />
      ) : (
        <>
          <Form.Group className="mb-4 import-server" controlId="import-server">
            <Form.Label>{t('import.server')}</Form.Label>
            <Form.Select
              value={chosen ?? ''}
              onChange={(event) => {
                setServerId(event.target.value ? Number(event.target.value) : null);
                setResult(null);
              }}
            >
              <option value="">{t('import.chooseServer')}</option>
              {servers.data.map((server) => (
                <option key={server.id} value={server.id}>
                  {`${server.name} (${server.base_url})`}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
          {result ? <ImportResults result={result} /> : null}
          {chosen !== null ? (
            <ImportableList key={chosen} serverId={chosen} onImported={setResult} />
          ) : null}
        </>
      )}
    </>
  );
}

function ImportableList({
  serverId,
  onImported,
}: {
  serverId: number;
  onImported: (result: ImportResultRead) => void;
}) {
  const { t } = useInstancesTranslation();
  const { t: tShared } = useTranslation();
  const importable = useImportable(serverId);
  const adopt = useImportInstances();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());

  if (importable.isPending) return <LoadingState label={t('import.loading')} />;
  if (importable.isError) {
    return <InstanceError error={importable.error} onRetry={() => void importable.refetch()} />;
  }
  const rows = importable.data;
  if (rows.length === 0) {
    return <EmptyState icon="inbox" title={t('import.empty')} />;
  }
  const candidates = rows.filter((row) => row.importable).map((row) => row.name);
  const allPicked = candidates.length > 0 && candidates.every((name) => picked.has(name));

  const toggle = (name: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(name);
    else next.delete(name);
    setPicked(next);
  };

  return (
    <Form
      onSubmit={(event) => {
        event.preventDefault();
        adopt.mutate(
          { server_id: serverId, instances: [...picked].map((name) => ({ name })) },
          {
            onSuccess: (data) => {
              setPicked(new Set());
              onImported(data);
            },
          },
        );
      }}
    >
      {adopt.isError ? <InstanceError error={adopt.error} className="mb-3" /> : null}
      <Card className="mb-3">
        <TableScroll label={t('import.title')}>
        <Table hover className="mb-0 align-middle">
          <caption className="visually-hidden">{t('import.title')}</caption>
          <thead>
            <tr>
              <th scope="col" className="check-col">
                <Form.Check
                  aria-label={t('import.selectAll')}
                  checked={allPicked}
                  disabled={candidates.length === 0}
                  onChange={(event) => setPicked(event.target.checked ? new Set(candidates) : new Set())}
                />
              </th>
              <th scope="col">{t('import.name')}</th>
              <th scope="col">{t('import.status')}</th>
              <th scope="col">{t('import.number')}</th>
              <th scope="col">{t('import.profile')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td className="check-col">
                  <Form.Check
                    aria-label={t('import.select', { name: row.name })}
                    checked={picked.has(row.name)}
                    disabled={!row.importable}
                    onChange={(event) => toggle(row.name, event.target.checked)}
                  />
                </td>
                <td>
                  <span className="font-monospace">{row.name}</span>
                  {!row.importable ? (
                    <span className="d-block small text-body-secondary">
                      {t('import.notImportable', { reason: row.reason ?? '' })}
                    </span>
                  ) : null}
                </td>
                <td>
                  {row.connection_status ? (
                    <StatusBadge status={row.connection_status} />
                  ) : (
                    tShared('status.close')
                  )}
                </td>
                <td className="text-nowrap">
                  {formatPhone(row.number ?? phoneDigits(row.owner_jid)) || '—'}
                </td>
                <td>{row.profile_name ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
        </TableScroll>
      </Card>
      <Button type="submit" disabled={picked.size === 0 || adopt.isPending}>
        {adopt.isPending ? (
          <>
            <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
            {t('import.importing')}
          </>
        ) : (
          <>
            <FeatureIcon name="cloud-arrow-down" className="me-2" />
            {t('import.submit', { count: picked.size })}
          </>
        )}
      </Button>
    </Form>
  );
}

function ImportResults({ result }: { result: ImportResultRead }) {
  const { t } = useInstancesTranslation();
  return (
    <Card className="mb-4" aria-live="polite">
      <Card.Body>
        <h2 className="h6">{t('import.results')}</h2>
        <p className="small">{t('import.summary', { imported: result.imported, failed: result.failed })}</p>
        <ul className="list-unstyled mb-0">
          {result.items.map((item) => (
            <li key={item.name} className="d-flex flex-wrap align-items-center gap-2 mb-1">
              <span className={`badge ${item.ok ? 'text-bg-success' : 'text-bg-danger'}`}>
                {item.ok ? t('bulk.ok') : t('bulk.error')}
              </span>
              <span className="font-monospace">{item.name}</span>
              {item.ok && item.instance ? (
                <Link to={paths.instance.getHref(item.instance.id)} className="small">
                  {t('import.open')}
                </Link>
              ) : (
                <span className="small text-body-secondary">{item.detail ?? item.error}</span>
              )}
            </li>
          ))}
        </ul>
      </Card.Body>
    </Card>
  );
}
