import { useId, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import InputGroup from 'react-bootstrap/InputGroup';

import { PeriodFilter } from '@/components/ui/period-filter';
import { SvgIcon } from '@/components/ui/svg-icon';

import type { InstanceOption } from '../api/get-instance-names';
import type { MessageFiltersState } from '../hooks/use-message-filters';
import { useMessagesTranslation } from '../i18n';
import { countActiveFilters, DIRECTIONS, MESSAGE_TYPES } from '../lib/filters';
import { icons } from './icons';

export interface MessageFiltersProps {
  state: MessageFiltersState;
  instances: readonly InstanceOption[];
}

/**
 * Search plus filters. On phones the filters other than the search fold behind a
 * "Mais filtros" button so the list stays in view.
 */
export function MessageFilters({ state, instances }: MessageFiltersProps) {
  const { t } = useMessagesTranslation();
  const id = useId();
  const { filters, update, clear } = state;
  const active = countActiveFilters(filters);
  const [open, setOpen] = useState(false);

  return (
    <section aria-label={t('filters.label')} className="card card-body mb-3 message-filters">
      <div className="row g-2 align-items-start">
        <Form.Group className="col-12 col-lg-6" controlId={`${id}-q`}>
          <Form.Label className="small mb-1">{t('filters.search')}</Form.Label>
          <InputGroup>
            <InputGroup.Text aria-hidden="true">
              <SvgIcon svg={icons.search} />
            </InputGroup.Text>
            <Form.Control
              type="search"
              value={state.searchText}
              placeholder={t('filters.searchPlaceholder')}
              onChange={(event) => state.setSearchText(event.target.value)}
              maxLength={200}
              aria-describedby={`${id}-q-help`}
              autoComplete="off"
            />
          </InputGroup>
          <Form.Text id={`${id}-q-help`} className="small">
            {t('filters.searchHelp')}
          </Form.Text>
        </Form.Group>
        <Form.Group className="col-12 col-sm-7 col-lg-4" controlId={`${id}-instance`}>
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
            {filters.instanceId !== null &&
            !instances.some((instance) => instance.id === filters.instanceId) ? (
              <option value={filters.instanceId}>
                {t('list.instanceFallback', { id: filters.instanceId })}
              </option>
            ) : null}
          </Form.Select>
        </Form.Group>
        <div className="col-12 col-sm-5 col-lg-2 d-flex gap-2 justify-content-sm-end mt-sm-4">
          <Button
            variant="outline-secondary"
            className="d-md-none flex-grow-1"
            aria-expanded={open}
            aria-controls={`${id}-more`}
            onClick={() => setOpen((value) => !value)}
          >
            <SvgIcon svg={icons.funnel} className="me-1" />
            {open ? t('filters.fewer') : t('filters.more')}
            {active > 0 ? <span className="badge text-bg-primary ms-2">{active}</span> : null}
          </Button>
          <Button variant="link" className="text-nowrap" onClick={clear} disabled={active === 0}>
            {t('filters.clear')}
          </Button>
        </div>
      </div>
      <div id={`${id}-more`} className={`row g-2 mt-1 ${open ? '' : 'd-none d-md-flex'}`}>
        <Form.Group className="col-12 col-md-4 col-xxl-2" controlId={`${id}-direction`}>
          <Form.Label className="small mb-1">{t('filters.direction')}</Form.Label>
          <Form.Select
            value={filters.direction}
            onChange={(event) => {
              const value = event.target.value;
              update({ direction: DIRECTIONS.find((d) => d === value) ?? '' });
            }}
          >
            <option value="">{t('filters.allDirections')}</option>
            {DIRECTIONS.map((direction) => (
              <option key={direction} value={direction}>
                {t(`direction.${direction}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-12 col-md-4 col-xxl-2" controlId={`${id}-type`}>
          <Form.Label className="small mb-1">{t('filters.type')}</Form.Label>
          <Form.Select
            value={filters.type}
            onChange={(event) => {
              const value = event.target.value;
              update({ type: MESSAGE_TYPES.find((type) => type === value) ?? '' });
            }}
          >
            <option value="">{t('filters.allTypes')}</option>
            {MESSAGE_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`types.${type}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-12 col-md-4 col-xxl-2" controlId={`${id}-status`}>
          <Form.Label className="small mb-1">{t('filters.status')}</Form.Label>
          <Form.Select
            value={filters.status}
            onChange={(event) => {
              const value = event.target.value;
              update({ status: value === 'allowed' || value === 'blocked' ? value : '' });
            }}
          >
            <option value="">{t('filters.allStatuses')}</option>
            <option value="allowed">{t('filters.allowedOnly')}</option>
            <option value="blocked">{t('filters.blockedOnly')}</option>
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-12 col-md-6 col-xxl-3" controlId={`${id}-sender`}>
          <Form.Label className="small mb-1">{t('filters.sender')}</Form.Label>
          <Form.Control
            type="search"
            inputMode="tel"
            value={state.senderText}
            placeholder={t('filters.senderPlaceholder')}
            onChange={(event) => state.setSenderText(event.target.value)}
            maxLength={128}
            autoComplete="off"
          />
        </Form.Group>
        <div className="col-12 col-md-6 col-xxl-3">
          <PeriodFilter value={filters.period} onChange={(period) => update({ period })} />
        </div>
      </div>
    </section>
  );
}
