import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { DestinationRead } from '@/api/generated/types.gen';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { DestinationsCard } from '../components/destinations-card';

const LIST = 'GET /api/instances/7/destinations';
const CREATE = 'POST /api/instances/7/destinations';
const CATALOG = {
  'GET /api/instances/webhook-events': () =>
    json([
      { name: 'CONNECTION_UPDATE', payload_name: 'connection.update', required: true },
      { name: 'MESSAGES_UPSERT', payload_name: 'messages.upsert', required: true },
      { name: 'CALL', payload_name: 'call', required: false },
    ]),
};

function makeDestination(overrides: Partial<DestinationRead> = {}): DestinationRead {
  return {
    id: 1,
    instance_id: 7,
    name: 'n8n',
    url: 'https://n8n.example.com/webhook/abc',
    events: [],
    secret_header_name: null,
    has_secret: false,
    max_attempts: 5,
    retry_base_seconds: 5,
    enabled: true,
    created_at: '2026-12-02T11:00:00Z',
    updated_at: '2026-12-02T11:00:00Z',
    ...overrides,
  };
}

describe('DestinationsCard', () => {
  it('adds a destination with its filter, secret header and retry policy', async () => {
    let listed: DestinationRead[] = [makeDestination()];
    const { requests } = mockFetch({
      ...CATALOG,
      [LIST]: () => json(listed),
      [CREATE]: () => {
        const made = makeDestination({
          id: 2,
          name: 'Chatwoot',
          url: 'https://chat.example.com/in',
          events: ['CALL'],
          secret_header_name: 'X-Api-Key',
          has_secret: true,
          max_attempts: 3,
        });
        listed = [...listed, made];
        return json(made, { status: 201 });
      },
    });
    const { user } = renderWithProviders(<DestinationsCard instanceId={7} canOperate />);

    const list = await screen.findByRole('list', { name: 'Destinos de repasse' });
    expect(within(list).getByText('Todos os eventos', { exact: false })).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Adicionar destino' }));
    const dialog = await screen.findByRole('dialog', { name: 'Novo destino' });
    await user.type(within(dialog).getByLabelText('Nome'), 'Chatwoot');
    await user.type(within(dialog).getByLabelText('URL'), 'chat.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Salvar destino' }));
    expect(
      await within(dialog).findByText('Informe uma URL que comece com http:// ou https://.'),
    ).toBeVisible();
    await user.clear(within(dialog).getByLabelText('URL'));
    await user.type(within(dialog).getByLabelText('URL'), 'https://chat.example.com/in');
    await user.click(within(dialog).getByLabelText('Todos os eventos'));
    await user.click(await within(dialog).findByLabelText('MESSAGES_UPSERT'));
    await user.click(within(dialog).getByLabelText('CALL'));
    await user.type(within(dialog).getByLabelText('Nome do cabeçalho'), 'X-Api-Key');
    await user.type(within(dialog).getByLabelText('Valor'), 's3cret');
    await user.clear(within(dialog).getByLabelText('Tentativas'));
    await user.type(within(dialog).getByLabelText('Tentativas'), '3');
    await user.click(within(dialog).getByRole('button', { name: 'Salvar destino' }));

    expect(await screen.findByText('Destino Chatwoot salvo.')).toBeVisible();
    const post = requests.find((request) => request.method === 'POST');
    expect(await post?.json()).toEqual({
      name: 'Chatwoot',
      url: 'https://chat.example.com/in',
      events: ['CALL'],
      secret_header_name: 'X-Api-Key',
      secret_header_value: 's3cret',
      max_attempts: 3,
      retry_base_seconds: 5,
      enabled: true,
    });
    await waitFor(() => expect(screen.getAllByTestId('destination')).toHaveLength(2));
    const added = screen.getAllByTestId('destination')[1];
    expect(added).toHaveTextContent('CALL');
    expect(added).toHaveTextContent('X-Api-Key');
    expect(added).not.toHaveTextContent('s3cret');
  });

  it('shows viewers the destinations without any action', async () => {
    mockFetch({ ...CATALOG, [LIST]: () => json([makeDestination({ enabled: false })]) });
    renderWithProviders(<DestinationsCard instanceId={7} canOperate={false} />);
    const [item] = await screen.findAllByTestId('destination');
    expect(item).toHaveTextContent('Desativado');
    expect(screen.queryByRole('button', { name: 'Adicionar destino' })).not.toBeInTheDocument();
    expect(within(item).queryByRole('button')).not.toBeInTheDocument();
  });
});
