import { useMemo, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Form from 'react-bootstrap/Form';
import { useSearchParams } from 'react-router';

import { PageHeader } from '@/components/ui/page-header';
import { useServerOptions } from '@/lib/server-options';
import { useInstanceNames } from '@/lib/instance-names';
import { formatCalendarDate } from '@/lib/format-br';

import { type CsvSeparator, toReportParams } from '../api/reports';
import { useReportsTranslation } from '../i18n';
import {
  browserTimeZone,
  readReportFilters,
  REPORT_PRESETS,
  type ReportFilters,
  type ReportPreset,
  reportRange,
  writeReportFilters,
} from '../lib/period';
import {
  HoursSection,
  JobsSection,
  MessagesSection,
  SendersSection,
  UptimeSection,
} from './report-sections';

/** Relatórios: a period and a scope, then each report as a chart, a table and a CSV. */
export function ReportsPage() {
  const { t, i18n } = useReportsTranslation();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => readReportFilters(search), [search]);
  const [sep, setSep] = useState<CsvSeparator>(i18n.language.startsWith('pt') ? ';' : ',');
  const servers = useServerOptions();
  const instances = useInstanceNames();
  const tz = browserTimeZone();
  const params = useMemo(() => toReportParams(filters, new Date(), tz), [filters, tz]);
  const names = useMemo(
    () => new Map((instances.data ?? []).map((option) => [option.id, option.name])),
    [instances.data],
  );
  const instanceName = (id: number, fallback: string) =>
    names.get(id) ?? (fallback || t('instanceFallback', { id }));

  const update = (patch: Partial<ReportFilters>) =>
    setSearch(writeReportFilters({ ...filters, ...patch }), { replace: true });
  const choosePreset = (preset: ReportPreset) => {
    if (preset !== 'custom') {
      update({ preset, from: '', to: '' });
      return;
    }
    // A custom period starts from what was shown.
    const shown = reportRange(filters) ?? { from: '', to: '' };
    update({ preset, from: filters.from || shown.from, to: filters.to || shown.to });
  };
  const section = { params, sep, instanceName };
  const key = JSON.stringify(params);

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Form className="row g-2 align-items-end mb-3" onSubmit={(event) => event.preventDefault()}>
        <Form.Group className="col-sm-6 col-lg-3" controlId="reports-period">
          <Form.Label className="small mb-1">{t('filters.period')}</Form.Label>
          <Form.Select
            value={filters.preset}
            onChange={(event) => choosePreset(event.target.value as ReportPreset)}
          >
            {[...REPORT_PRESETS, 'custom' as const].map((preset) => (
              <option key={preset} value={preset}>
                {t(`filters.presets.${preset}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        {filters.preset === 'custom' ? (
          <>
            <Form.Group className="col-6 col-lg-2" controlId="reports-from">
              <Form.Label className="small mb-1">{t('filters.from')}</Form.Label>
              <Form.Control
                type="date"
                value={filters.from}
                max={filters.to || undefined}
                onChange={(event) => update({ from: event.target.value })}
              />
            </Form.Group>
            <Form.Group className="col-6 col-lg-2" controlId="reports-to">
              <Form.Label className="small mb-1">{t('filters.to')}</Form.Label>
              <Form.Control
                type="date"
                value={filters.to}
                min={filters.from || undefined}
                onChange={(event) => update({ to: event.target.value })}
              />
            </Form.Group>
          </>
        ) : null}
        <Form.Group className="col-sm-6 col-lg-2" controlId="reports-server">
          <Form.Label className="small mb-1">{t('filters.server')}</Form.Label>
          <Form.Select
            value={filters.serverId ?? ''}
            onChange={(event) =>
              update({ serverId: event.target.value ? Number(event.target.value) : null })
            }
          >
            <option value="">{t('filters.allServers')}</option>
            {(servers.data ?? []).map((server) => (
              <option key={server.id} value={server.id}>
                {server.name}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-sm-6 col-lg-2" controlId="reports-instance">
          <Form.Label className="small mb-1">{t('filters.instance')}</Form.Label>
          <Form.Select
            value={filters.instanceId ?? ''}
            onChange={(event) =>
              update({ instanceId: event.target.value ? Number(event.target.value) : null })
            }
          >
            <option value="">{t('filters.allInstances')}</option>
            {(instances.data ?? []).map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-sm-6 col-lg-3" controlId="reports-separator">
          <Form.Label className="small mb-1">{t('filters.separator')}</Form.Label>
          <Form.Select value={sep} onChange={(event) => setSep(event.target.value as CsvSeparator)}>
            <option value=";">{t('filters.semicolon')}</option>
            <option value=",">{t('filters.comma')}</option>
          </Form.Select>
        </Form.Group>
      </Form>
      {params ? (
        <p className="small text-body-secondary" data-testid="report-range">
          {t('range', {
            from: formatCalendarDate(params.from, i18n.language),
            to: formatCalendarDate(params.to, i18n.language),
            tz: params.tz,
          })}
        </p>
      ) : (
        <Alert variant="warning">{t('filters.badRange')}</Alert>
      )}
      <div className="d-grid gap-3 reports-grid">
        <MessagesSection key={`m${key}`} {...section} />
        <UptimeSection key={`u${key}`} {...section} />
        <JobsSection key={`j${key}`} {...section} />
        <div className="row g-3">
          <div className="col-lg-7">
            <HoursSection key={`h${key}`} {...section} />
          </div>
          <div className="col-lg-5">
            <SendersSection key={`s${key}`} {...section} />
          </div>
        </div>
      </div>
    </>
  );
}
