import type { TemplateDiff } from '../api/templates';
import { isEmptyDiff } from '../api/templates';
import { useInstancesTranslation } from '../locales';

const SETTING_LABELS: Record<string, string> = {
  reject_call: 'settings.rejectCall',
  msg_call: 'settings.msgCall',
  groups_ignore: 'settings.groupsIgnore',
  always_online: 'settings.alwaysOnline',
  read_messages: 'settings.readMessages',
  read_status: 'settings.readStatus',
  sync_full_history: 'settings.syncFullHistory',
};

/** What a template changes (or changed) on one instance, one line per change. */
export function TemplateDiffList({ diff }: { diff: TemplateDiff | null | undefined }) {
  const { t } = useInstancesTranslation();
  if (!diff || isEmptyDiff(diff)) {
    return <span className="text-body-secondary">{t('templates.diff.none')}</span>;
  }
  const value = (v: boolean | string | null | undefined) =>
    typeof v === 'boolean' ? t(v ? 'templates.diff.on' : 'templates.diff.off') : `“${v ?? ''}”`;
  const lines: string[] = [];
  for (const change of diff.settings ?? []) {
    lines.push(
      `${t(SETTING_LABELS[change.field] ?? change.field)}: ${value(change.old)} → ${value(change.new)}`,
    );
  }
  if ((diff.events_added ?? []).length > 0) {
    lines.push(t('templates.diff.eventsAdded', { list: (diff.events_added ?? []).join(', ') }));
  }
  if ((diff.events_removed ?? []).length > 0) {
    lines.push(t('templates.diff.eventsRemoved', { list: (diff.events_removed ?? []).join(', ') }));
  }
  if ((diff.numbers_added ?? []).length > 0) {
    lines.push(t('templates.diff.numbersAdded', { list: (diff.numbers_added ?? []).join(', ') }));
  }
  if ((diff.numbers_removed ?? []).length > 0) {
    lines.push(
      t('templates.diff.numbersRemoved', { list: (diff.numbers_removed ?? []).join(', ') }),
    );
  }
  for (const change of diff.destinations ?? []) {
    lines.push(
      t(`templates.diff.destination.${change.action}`, {
        name: change.name,
        fields: change.fields.join(', '),
      }),
    );
  }
  return (
    <ul className="list-unstyled mb-0 small template-diff">
      {lines.map((line) => (
        <li key={line} className="text-break">
          {line}
        </li>
      ))}
    </ul>
  );
}
