import { describe, expect, it } from 'vitest';

import type { AlertRead } from '@/api/generated/types.gen';
import { i18n } from '@/lib/i18n';
import { pinClock } from '@/testing/clock';

import { NS } from '../i18n';
import { describeAlert } from '../lib/describe';
import { RULES } from '../lib/rules';

const backupAlert: AlertRead = {
  id: 12,
  rule: 'backup_failed',
  subject_type: 'backups',
  subject_id: null,
  instance_id: null,
  subject_key: 'backups:scheduled',
  subject_label: 'Automatic backups',
  state: 'firing',
  detail: 'The last automatic backup failed 5 min ago: [Errno 28] No space left on device',
  facts: { error: '[Errno 28] No space left on device', attempted_at: '2026-12-02T11:55:00Z' },
  started_at: '2026-12-02T11:55:00Z',
  fired_at: '2026-12-02T11:55:30Z',
  last_checked_at: '2026-12-02T11:55:30Z',
  last_notified_at: '2026-12-02T11:55:30Z',
  notifications: 1,
  resolved_at: null,
  acked_at: null,
  acked_by: null,
  silenced_until: null,
};

describe('the backup_failed rule in the SPA', () => {
  pinClock('2026-12-02T12:00:00Z'); // five minutes after the failure

  it('says what failed, in each language, from the facts', async () => {
    await i18n.changeLanguage('pt-BR');
    const pt = describeAlert(backupAlert, i18n.t, 'pt-BR');
    expect(pt).toMatch(/^O último backup automático falhou há .+: \[Errno 28\] No space left on device$/);
    await i18n.changeLanguage('en');
    const en = describeAlert(backupAlert, i18n.t, 'en');
    expect(en).toMatch(/^The last automatic backup failed .+ ago: \[Errno 28\] No space left on device$/);
    await i18n.changeLanguage('pt-BR');
  });

  it('names every rule of the pages in both languages', async () => {
    expect(RULES).toContain('backup_failed');
    for (const language of ['pt-BR', 'en']) {
      await i18n.changeLanguage(language);
      for (const rule of RULES) {
        const name = i18n.t(`alertCenter.rules.${rule}`);
        expect(name).not.toBe(`alertCenter.rules.${rule}`);
        expect(i18n.t(`${NS}:rules.${rule}`)).toBe(name);
      }
    }
    await i18n.changeLanguage('pt-BR');
  });
});
