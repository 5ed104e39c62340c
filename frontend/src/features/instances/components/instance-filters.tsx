import { useEffect, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import InputGroup from 'react-bootstrap/InputGroup';
import { useTranslation } from 'react-i18next';

import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { INSTANCE_STATUSES } from '@/lib/instance-status';

import type { ServerOption } from '../api/get-servers';
import type { InstanceFilters as Filters } from '../hooks/use-instance-filters';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';

export interface InstanceFiltersProps {
  filters: Filters;
  servers: readonly ServerOption[];
  onChange: (changes: Partial<Filters>) => void;
}

/** Search (by name or number, as typed), status and server. */
export function InstanceFilters({ filters, servers, onChange }: InstanceFiltersProps) {
  const { t } = useInstancesTranslation();
  const { t: tShared } = useTranslation();
  const [search, setSearch] = useState(filters.search);
  const debounced = useDebouncedValue(search, 300);

  useEffect(() => {
    if (debounced.trim() !== filters.search.trim()) onChange({ search: debounced.trim() });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the typing settles
  }, [debounced]);

  const hasFilters = Boolean(filters.search || filters.status || filters.serverId);

  return (
    <search
      className="instance-filters row g-2 align-items-end mb-3"
      aria-label={t('filters.label')}
    >
      <div className="col-12 col-lg-5">
        <Form.Label htmlFor="instance-search" className="small mb-1">
          {t('filters.search')}
        </Form.Label>
        <InputGroup>
          <InputGroup.Text aria-hidden="true">
            <FeatureIcon name="search" />
          </InputGroup.Text>
          <Form.Control
            id="instance-search"
            type="search"
            value={search}
            placeholder={t('filters.searchPlaceholder')}
            onChange={(event) => setSearch(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') onChange({ search: search.trim() });
            }}
            maxLength={100}
          />
        </InputGroup>
      </div>
      <div className="col-6 col-lg-3">
        <Form.Label htmlFor="instance-status-filter" className="small mb-1">
          {t('filters.status')}
        </Form.Label>
        <Form.Select
          id="instance-status-filter"
          value={filters.status ?? ''}
          onChange={(event) =>
            onChange({
              status: (INSTANCE_STATUSES as readonly string[]).includes(event.target.value)
                ? (event.target.value as Filters['status'])
                : null,
            })
          }
        >
          <option value="">{t('filters.anyStatus')}</option>
          {INSTANCE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {tShared(`status.${status}`)}
            </option>
          ))}
        </Form.Select>
      </div>
      <div className="col-6 col-lg-3">
        <Form.Label htmlFor="instance-server-filter" className="small mb-1">
          {t('filters.server')}
        </Form.Label>
        <Form.Select
          id="instance-server-filter"
          value={filters.serverId ?? ''}
          onChange={(event) =>
            onChange({ serverId: event.target.value ? Number(event.target.value) : null })
          }
        >
          <option value="">{t('filters.anyServer')}</option>
          {servers.map((server) => (
            <option key={server.id} value={server.id}>
              {server.name}
            </option>
          ))}
        </Form.Select>
      </div>
      <div className="col-12 col-lg-1 d-grid">
        <Button
          variant="outline-secondary"
          disabled={!hasFilters}
          onClick={() => {
            setSearch('');
            onChange({ search: '', status: null, serverId: null });
          }}
        >
          {t('filters.clear')}
        </Button>
      </div>
    </search>
  );
}
