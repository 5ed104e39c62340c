import { useId } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';

import type { JobCounts } from '@/api/generated/types.gen';
import { PeriodFilter } from '@/components/ui/period-filter';
import { formatNumber } from '@/lib/format';

import type { InstanceOption } from '../api/get-instance-names';
import type { JobFiltersState } from '../hooks/use-job-filters';
import { useJobsTranslation } from '../i18n';
import { countActiveJobFilters, JOB_STATUSES } from '../lib/filters';

export interface JobFiltersProps {
  state: JobFiltersState;
  counts: JobCounts | undefined;
  instances: readonly InstanceOption[];
}

/** Status chips with their counts (several may be on), then instance and period. */
export function JobFilters({ state, counts, instances }: JobFiltersProps) {
  const { t, i18n } = useJobsTranslation();
  const id = useId();
  const { filters, update, clear } = state;
  const count = (value: number | undefined) =>
    value === undefined ? '' : formatNumber(value, i18n.language);

  return (
    <section aria-label={t('filters.label')} className="card card-body mb-3">
      <div role="group" aria-label={t('filters.status')} className="d-flex flex-wrap gap-2 mb-3">
        <Button
          size="sm"
          className="rounded-pill"
          variant={filters.statuses.length === 0 ? 'primary' : 'outline-secondary'}
          aria-pressed={filters.statuses.length === 0}
          onClick={() => update({ statuses: [] })}
        >
          {t('filters.all')}{' '}
          <span className="badge text-bg-light ms-1">{count(counts?.total)}</span>
        </Button>
        {JOB_STATUSES.map((status) => {
          const on = filters.statuses.includes(status);
          return (
            <Button
              key={status}
              size="sm"
              className="rounded-pill"
              variant={on ? 'primary' : 'outline-secondary'}
              aria-pressed={on}
              data-status={status}
              onClick={() =>
                update({
                  statuses: on
                    ? filters.statuses.filter((s) => s !== status)
                    : [...filters.statuses, status],
                })
              }
            >
              {t(`statusPlural.${status}`)}{' '}
              <span className="badge text-bg-light ms-1">{count(counts?.[status])}</span>
            </Button>
          );
        })}
      </div>
      <div className="row g-2 align-items-end">
        <Form.Group className="col-12 col-md-5" controlId={`${id}-instance`}>
          <Form.Label className="small mb-1">{t('filters.instance')}</Form.Label>
          <Form.Select
            value={filters.instanceId ?? ''}
            onChange={(event) =>
              update({ instanceId: event.target.value ? Number(event.target.value) : null })
            }
          >
            <option value="">{t('filters.allInstances')}</option>
            {instances.map((instance) => (
              <option key={instance.id} value={instance.id}>
                {instance.name}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <div className="col-12 col-md-5">
          <PeriodFilter value={filters.period} onChange={(period) => update({ period })} />
        </div>
        <div className="col-12 col-md-2 text-md-end">
          <Button variant="link" onClick={clear} disabled={countActiveJobFilters(filters) === 0}>
            {t('filters.clear')}
          </Button>
        </div>
      </div>
    </section>
  );
}
