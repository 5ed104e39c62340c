import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { BackupsPage } from '../components/backups-page';

const STATUS = {
  scheduled: true,
  interval_hours: 24,
  keep: 7,
  last: { name: 'evodash-backup-20261202-030000-000000.json', size_bytes: 1536, created_at: '2026-12-02T03:00:00Z' },
  last_error: null,
  files: 2,
  stored: [
    { name: 'evodash-backup-20261202-030000-000000.json', size_bytes: 1536, created_at: '2026-12-02T03:00:00Z' },
    { name: 'evodash-backup-20261201-030000-000000.json', size_bytes: 1400, created_at: '2026-12-01T03:00:00Z' },
  ],
};
const BACKUP = { format: 'evodash-backup', version: 1, servers: [], instances: [], users: [], api_keys: [] };
const counts = (created: number, updated: number, unchanged: number) => ({ created, updated, unchanged });

let saved: Blob[] = [];
beforeEach(() => {
  saved = [];
  vi.stubGlobal('URL', Object.assign(URL, {
    createObjectURL: (blob: Blob) => {
      saved.push(blob);
      return 'blob:download';
    },
    revokeObjectURL: () => undefined,
  }));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('BackupsPage', () => {
  it('shows the last automatic backup and the stored ones, and downloads an export', async () => {
    const { requests } = mockFetch({
      'GET /api/backups/status': () => json(STATUS),
      'POST /api/backups/export': () =>
        new Response(JSON.stringify(BACKUP), {
          headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="evodash-backup-20261202-140000.json"' },
        }),
    });
    const { user } = renderWithProviders(<BackupsPage />);
    expect(await screen.findByTestId('backup-last')).toHaveTextContent(/Último backup: .*2026.*\(1,5 kB\)/);
    expect(screen.getByText('Ativos: a cada 24 h, guardando os 7 mais recentes.')).toBeVisible();
    expect(screen.getByText('evodash-backup-20261201-030000-000000.json')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Baixar backup' }));
    expect(await screen.findByText('Use uma frase-senha de pelo menos 8 caracteres.')).toBeVisible();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.type(screen.getByLabelText('Frase-senha'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Baixar backup' }));
    expect(await screen.findByText('Backup baixado: evodash-backup-20261202-140000.json.')).toBeVisible();
    expect(await requests.find((r) => r.method === 'POST')?.clone().json()).toEqual({ passphrase: 'correct horse battery' });
    expect(JSON.parse(await (saved[0]).text())).toMatchObject({ format: 'evodash-backup' });
  });

  it('previews an import (dry run), then applies it', async () => {
    const bodies: unknown[] = [];
    mockFetch({
      'GET /api/backups/status': () => json({ ...STATUS, last: null, stored: [], files: 0 }),
      'POST /api/backups/import': async (request) => {
        const body = (await request.json()) as { dry_run: boolean };
        bodies.push(body);
        return json({
          dry_run: body.dry_run,
          servers: counts(1, 0, 0),
          instances: counts(2, 1, 3),
          users: counts(0, 0, 2),
          api_keys: counts(0, 0, 0),
          alert_rules: counts(0, 1, 0),
        });
      },
    });
    const { user } = renderWithProviders(<BackupsPage />);
    expect(await screen.findByText('Nenhum backup guardado ainda.')).toBeVisible();

    const input = screen.getByLabelText('Arquivo de backup (.json)');
    await user.upload(input, new File(['not json'], 'x.json', { type: 'application/json' }));
    expect(await screen.findByText('Este arquivo não é um backup do evodash em JSON.')).toBeVisible();

    await user.upload(input, new File([JSON.stringify(BACKUP)], 'backup.json', { type: 'application/json' }));
    await user.type(screen.getByLabelText('Frase-senha do backup'), 'correct horse battery');
    expect(screen.getByRole('button', { name: 'Aplicar' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Ver o que vai mudar' }));
    const preview = await screen.findByTestId('import-preview');
    expect(within(preview).getByRole('row', { name: /Instâncias/ })).toHaveTextContent('Instâncias213');
    expect(within(preview).getByRole('row', { name: /Regras de alerta/ })).toHaveTextContent('Regras de alerta010');
    expect(screen.getByText('Prévia: nada foi alterado ainda')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Aplicar' }));
    expect(await screen.findByTestId('import-applied')).toHaveTextContent('Backup importado');
    expect(bodies).toEqual([
      { backup: BACKUP, passphrase: 'correct horse battery', dry_run: true },
      { backup: BACKUP, passphrase: 'correct horse battery', dry_run: false },
    ]);
  }, 15_000);

  it('exports a data subject as a ZIP and erases only after the number is typed again', async () => {
    const { requests } = mockFetch({
      'GET /api/backups/status': () => json(STATUS),
      'POST /api/privacy/export': () =>
        new Response('PK', {
          headers: { 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename="evodash-subject-4321.zip"' },
        }),
      'POST /api/privacy/erase': () =>
        json({ phone: '+5511987654321', messages: 12, jobs: 2, invoices: 1, media_files: 2, sender_days: 3, webhook_events: 5 }),
    });
    const { user } = renderWithProviders(<BackupsPage />);
    await user.type(screen.getByLabelText('Número de telefone'), '+55 11 98765-4321');
    await user.click(screen.getByRole('button', { name: 'Exportar ZIP' }));

    expect(await screen.findByText('Exportação baixada: evodash-subject-4321.zip.')).toBeVisible();
    expect(saved).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Apagar dados…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Apagar os dados de +55 11 98765-4321?' });
    const erase = within(dialog).getByRole('button', { name: 'Apagar para sempre' });
    expect(erase).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Digite o número de novo para confirmar'), '5511987654320');
    expect(erase).toBeDisabled();
    await user.clear(within(dialog).getByLabelText('Digite o número de novo para confirmar'));
    await user.type(within(dialog).getByLabelText('Digite o número de novo para confirmar'), '5511987654321');
    await user.click(erase);
    expect(await screen.findByText('Dados de +5511987654321 apagados: 12 mensagens, 2 jobs, 1 faturas, 2 arquivos.')).toBeVisible();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const erased = requests.find((r) => r.url.endsWith('/api/privacy/erase'));
    expect(await erased?.clone().json()).toEqual({ phone: '+55 11 98765-4321', confirm: true });
  }, 15_000);
});
