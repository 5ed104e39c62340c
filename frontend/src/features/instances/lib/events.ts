import type { Instance } from '../api/get-instances';
import type { EventInfo, EventName } from '../api/webhook-events';

/** The events required by evodash (locked on) and the optional ones of a selection. */
export function splitCatalog(catalog: readonly EventInfo[]) {
  return {
    required: catalog.filter((event) => event.required),
    optional: catalog.filter((event) => !event.required),
    locked: new Set(catalog.filter((event) => event.required).map((event) => event.name)),
  };
}

/** The optional events an instance subscribes to now. */
export function optionalEventsOf(instance: Instance): Set<EventName> {
  return new Set(instance.webhook_events as EventName[]);
}
