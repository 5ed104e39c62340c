import { useId } from 'react';
import Form from 'react-bootstrap/Form';
import { useTranslation } from 'react-i18next';

import { isPeriod, PERIOD_PRESETS, type PeriodValue } from '@/lib/period';

export interface PeriodFilterProps {
  value: PeriodValue;
  onChange: (value: PeriodValue) => void;
  /** Label of the select; "Período" by default. */
  label?: string;
  size?: 'sm' | 'lg';
}

/** A period select (any time, today, 24 h, 7 days, 30 days, custom) with dates for custom. */
export function PeriodFilter({ value, onChange, label, size }: PeriodFilterProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="d-flex flex-wrap gap-2 align-items-end">
      <Form.Group controlId={`${id}-period`} className="flex-grow-1">
        <Form.Label className="small mb-1">{label ?? t('period.label')}</Form.Label>
        <Form.Select
          size={size}
          value={value.period}
          onChange={(event) => {
            const period = event.target.value;
            if (isPeriod(period)) onChange({ ...value, period });
          }}
        >
          <option value="">{t('period.any')}</option>
          {PERIOD_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {t(`period.presets.${preset}`)}
            </option>
          ))}
          <option value="custom">{t('period.custom')}</option>
        </Form.Select>
      </Form.Group>
      {value.period === 'custom' ? (
        <>
          <Form.Group controlId={`${id}-from`}>
            <Form.Label className="small mb-1">{t('period.from')}</Form.Label>
            <Form.Control
              type="date"
              size={size}
              value={value.from}
              max={value.to || undefined}
              onChange={(event) => onChange({ ...value, from: event.target.value })}
            />
          </Form.Group>
          <Form.Group controlId={`${id}-to`}>
            <Form.Label className="small mb-1">{t('period.to')}</Form.Label>
            <Form.Control
              type="date"
              size={size}
              value={value.to}
              min={value.from || undefined}
              onChange={(event) => onChange({ ...value, to: event.target.value })}
            />
          </Form.Group>
        </>
      ) : null}
    </div>
  );
}
