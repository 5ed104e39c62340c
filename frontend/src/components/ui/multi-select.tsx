import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import { useTranslation } from 'react-i18next';

import { useDebouncedValue } from '@/hooks/use-debounced-value';
import {
  PICKER_MAX_RESOLVE,
  type PickerOption,
  type PickerSource,
  pickerNamesQueryOptions,
  pickerSearchQueryOptions,
} from '@/lib/pickers';

export interface MultiSelectProps {
  /** Names the group (a legend) and its search box. */
  label: string;
  help?: string;
  source: PickerSource;
  value: readonly number[];
  onChange: (ids: number[]) => void;
  /** The most that may be chosen (the API's bound). */
  max: number;
  disabled?: boolean;
  /** A validation message to show under the group. */
  error?: string;
  /** Search box text limit. */
  maxSearchLength?: number;
}

/** Chips shown for the choices; the rest are counted ("+ 12 outros"). */
const MAX_CHIPS = PICKER_MAX_RESOLVE;

/**
 * A searchable multi-select: the choices as removable chips, a search box, and the
 * matches (one bounded page from the API) as checkboxes. Names of choices made before
 * (an edited team's members) are asked for once.
 */
export function MultiSelect({
  label,
  help,
  source,
  value,
  onChange,
  max,
  disabled = false,
  error,
  maxSearchLength = 100,
}: MultiSelectProps) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const search = useDebouncedValue(text.trim(), 250);
  // What the person picked here, so a chip keeps its name after the search changes.
  const [remembered, setRemembered] = useState<ReadonlyMap<number, string>>(() => new Map());
  // The choices it started with are named once (the list stays the same while editing).
  const [initial] = useState(() => [...value]);
  const matches = useQuery({ ...pickerSearchQueryOptions(source, search), enabled: !disabled });
  const names = useQuery(pickerNamesQueryOptions(source, initial));

  const labels = useMemo(() => {
    const found = new Map<number, string>();
    for (const option of names.data ?? []) found.set(option.id, option.label);
    for (const option of matches.data?.items ?? []) found.set(option.id, option.label);
    for (const [key, name] of remembered) found.set(key, name);
    return found;
  }, [names.data, matches.data, remembered]);

  const chosen = new Set(value);
  const full = value.length >= max;

  const toggle = (option: PickerOption, on: boolean) => {
    if (on) {
      if (chosen.has(option.id) || full) return;
      setRemembered((current) => new Map(current).set(option.id, option.label));
      onChange([...value, option.id]);
    } else {
      onChange(value.filter((item) => item !== option.id));
    }
  };
  const nameOf = (key: number) => labels.get(key) ?? t('picker.unknown', { id: key });

  const helpId = `${id}-help`;
  const statusId = `${id}-status`;
  const items = matches.data?.items ?? [];
  const total = matches.data?.total ?? 0;

  let results;
  if (disabled) results = null;
  else if (matches.isPending) {
    results = <p className="small text-body-secondary m-2">{t('common.loading')}</p>;
  } else if (matches.isError) {
    results = (
      <p className="small text-danger m-2">
        {t('picker.loadFailed')}{' '}
        <Button variant="link" size="sm" className="p-0" onClick={() => void matches.refetch()}>
          {t('common.retry')}
        </Button>
      </p>
    );
  } else if (items.length === 0) {
    results = <p className="small text-body-secondary m-2">{t('picker.noMatches')}</p>;
  } else {
    results = items.map((option) => {
      const on = chosen.has(option.id);
      return (
        <Form.Check
          key={option.id}
          id={`${id}-option-${option.id}`}
          type="checkbox"
          className="multi-select-option mb-0"
          checked={on}
          disabled={!on && full}
          onChange={(event) => toggle(option, event.target.checked)}
          label={
            <>
              <span className="text-break">{option.label}</span>
              {option.detail ? (
                <span className="d-block small text-body-secondary text-break">
                  {option.detail}
                </span>
              ) : null}
            </>
          }
        />
      );
    });
  }

  return (
    <fieldset className="multi-select" disabled={disabled} aria-describedby={help ? helpId : undefined}>
      <legend className="form-label fs-6 mb-1">{label}</legend>
      {value.length > 0 ? (
        <div className="d-flex flex-wrap gap-1 mb-2">
          {value.slice(0, MAX_CHIPS).map((key) => (
            <span
              key={key}
              className="badge rounded-pill text-bg-light border d-inline-flex align-items-center gap-1 fw-normal multi-select-chip"
            >
              <span className="text-truncate">{nameOf(key)}</span>
              <button
                type="button"
                className="btn-close multi-select-remove"
                aria-label={t('picker.remove', { name: nameOf(key) })}
                onClick={() => onChange(value.filter((item) => item !== key))}
              />
            </span>
          ))}
          {value.length > MAX_CHIPS ? (
            <span className="small text-body-secondary align-self-center">
              {t('picker.moreChosen', { count: value.length - MAX_CHIPS })}
            </span>
          ) : null}
        </div>
      ) : null}
      <Form.Control
        type="search"
        size="sm"
        value={text}
        onChange={(event) => setText(event.target.value)}
        maxLength={maxSearchLength}
        autoComplete="off"
        placeholder={t('picker.placeholder')}
        aria-label={t('picker.search', { label })}
        aria-describedby={statusId}
      />
      {disabled ? null : (
        <div
          className="multi-select-options border rounded mt-1"
          role="group"
          aria-label={t('picker.results', { label })}
        >
          {results}
        </div>
      )}
      <div id={statusId} className="form-text mt-1" aria-live="polite">
        {t('picker.selected', { count: value.length })}
        {full ? ` · ${t('picker.full', { max })}` : ''}
        {total > items.length ? ` · ${t('picker.more', { shown: items.length, total })}` : ''}
      </div>
      {help ? (
        <div id={helpId} className="form-text mt-0">
          {help}
        </div>
      ) : null}
      {error ? <div className="invalid-feedback d-block">{error}</div> : null}
    </fieldset>
  );
}
