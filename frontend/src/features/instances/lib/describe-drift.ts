import type { TFunction } from 'i18next';

function asList(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : '';
}

/** Turns the backend's drift object into sentences. */
export function describeDrift(drift: Record<string, unknown>, t: TFunction<'instances'>): string[] {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(drift)) {
    if (field === 'missing') lines.push(t('webhook.driftItems.missing'));
    else if (field === 'url' && typeof value === 'object' && value !== null) {
      const { expected, actual } = value as { expected?: unknown; actual?: unknown };
      lines.push(
        t('webhook.driftItems.url', { expected: String(expected), actual: String(actual) }),
      );
    } else if (field === 'enabled') lines.push(t('webhook.driftItems.enabled'));
    else if (field === 'header') {
      lines.push(
        value === 'missing'
          ? t('webhook.driftItems.headerMissing')
          : t('webhook.driftItems.headerDifferent'),
      );
    } else if (field === 'events' && typeof value === 'object' && value !== null) {
      const { missing, unexpected } = value as { missing?: unknown; unexpected?: unknown };
      if (asList(missing))
        lines.push(t('webhook.driftItems.eventsMissing', { events: asList(missing) }));
      if (asList(unexpected)) {
        lines.push(t('webhook.driftItems.eventsUnexpected', { events: asList(unexpected) }));
      }
    } else if (field === 'by_events') lines.push(t('webhook.driftItems.byEvents'));
    else if (field === 'base64') lines.push(t('webhook.driftItems.base64'));
    else lines.push(t('webhook.driftItems.other', { field }));
  }
  return lines;
}
