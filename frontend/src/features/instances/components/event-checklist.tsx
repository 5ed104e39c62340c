import Form from 'react-bootstrap/Form';

import type { EventInfo, EventName } from '../api/webhook-events';
import { useInstancesTranslation } from '../locales';

export interface EventChecklistProps {
  /** Prefix of the checkboxes' ids (several lists may share a page). */
  idPrefix: string;
  events: readonly EventInfo[];
  selected: ReadonlySet<EventName>;
  onToggle: (name: EventName, checked: boolean) => void;
  /** Shown checked and disabled, with why (the events evodash needs). */
  locked?: ReadonlySet<EventName>;
  disabled?: boolean;
}

/** Checkboxes of Evolution events, in the server's order, two columns from tablets up. */
export function EventChecklist({
  idPrefix,
  events,
  selected,
  onToggle,
  locked,
  disabled = false,
}: EventChecklistProps) {
  const { t } = useInstancesTranslation();
  return (
    <div className="row row-cols-1 row-cols-md-2 g-1">
      {events.map((event) => {
        const id = `${idPrefix}-${event.name}`;
        const isLocked = locked?.has(event.name) ?? false;
        return (
          <div className="col" key={event.name}>
            <Form.Check
              id={id}
              type="checkbox"
              checked={isLocked || selected.has(event.name)}
              disabled={disabled || isLocked}
              onChange={(change) => onToggle(event.name, change.target.checked)}
              label={
                <>
                  <span className="font-monospace small">{event.name}</span>
                  {isLocked ? (
                    <span className="d-block small text-body-secondary">
                      {t(`events.why.${event.name}`, { defaultValue: t('events.needed') })}
                    </span>
                  ) : null}
                </>
              }
            />
          </div>
        );
      })}
    </div>
  );
}
