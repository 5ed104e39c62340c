import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { DeleteServerDialog } from '../delete-server-dialog';
import { createServer } from './server-fixtures';

const noContent = () => new Response(null, { status: 204 });
const hasInstances = () =>
  json(
    {
      error: 'server_has_instances',
      detail: 'This server still has 3 instance(s). Delete them first, or pass remove_instances',
      instances: 3,
      deleted_instances: 0,
    },
    { status: 409 },
  );

function setup() {
  const server = createServer({ id: 4, name: 'Antigo', instance_count: 3 });
  const onDeleted = vi.fn();
  const onHide = vi.fn();
  const utils = renderWithProviders(
    <DeleteServerDialog server={server} onHide={onHide} onDeleted={onDeleted} />,
  );
  return { ...utils, server, onDeleted, onHide, dialog: screen.getByRole('dialog') };
}

const query = (request: Request) => new URL(request.url).searchParams.toString();

describe('DeleteServerDialog', { timeout: 30_000 }, () => {
  it('asks for confirmation, then deletes', async () => {
    const { requests } = mockFetch({ 'DELETE /api/servers/4': noContent });
    const { user, dialog, onDeleted, server } = setup();

    expect(dialog).toHaveTextContent('Excluir o servidor Antigo? Esta ação não pode ser desfeita.');
    await user.click(within(dialog).getByRole('button', { name: 'Excluir servidor' }));

    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith(server));
    expect(requests).toHaveLength(1);
    expect(query(requests[0])).toBe('');
  });

  it('explains a 409 (the server has instances) and offers to delete them too', async () => {
    const { requests } = mockFetch({
      'DELETE /api/servers/4': (request) =>
        new URL(request.url).searchParams.get('remove_instances') === 'true'
          ? noContent()
          : hasInstances(),
    });
    const { user, dialog, onDeleted } = setup();

    await user.click(within(dialog).getByRole('button', { name: 'Excluir servidor' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Este servidor ainda tem instâncias');
    expect(alert).toHaveTextContent('O servidor Antigo ainda tem 3 instâncias');
    expect(onDeleted).not.toHaveBeenCalled();

    await user.click(within(dialog).getByRole('button', { name: 'Excluir também as instâncias' }));
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(requests.map(query)).toEqual(['', 'remove_instances=true']);
  });

  it('offers to delete here only when Evolution cannot delete the instances', async () => {
    const { requests } = mockFetch({
      'DELETE /api/servers/4': (request) => {
        const params = new URL(request.url).searchParams;
        if (params.get('force') === 'true') return noContent();
        if (params.get('remove_instances') === 'true') {
          return json(
            { error: 'evolution_unreachable', detail: 'Cannot reach the Evolution server' },
            { status: 502 },
          );
        }
        return hasInstances();
      },
    });
    const { user, dialog, onDeleted } = setup();

    await user.click(within(dialog).getByRole('button', { name: 'Excluir servidor' }));
    await user.click(
      await within(dialog).findByRole('button', { name: 'Excluir também as instâncias' }),
    );

    expect(
      await within(dialog).findByText(/não conseguiu excluir todas as instâncias/),
    ).toBeVisible();
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'Não foi possível conectar ao servidor Evolution.',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Excluir só no painel mesmo assim' }),
    );

    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(requests.map(query)).toEqual([
      '',
      'remove_instances=true',
      'remove_instances=true&force=true',
    ]);
  });

  it('shows any other error as it is', async () => {
    mockFetch({
      'DELETE /api/servers/4': () =>
        json({ error: 'permission_denied', detail: 'Admins only' }, { status: 403 }),
    });
    const { user, dialog, onDeleted } = setup();
    await user.click(within(dialog).getByRole('button', { name: 'Excluir servidor' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Não foi possível excluir o servidor');
    expect(alert).toHaveTextContent('Você não tem permissão para isso.');
    expect(onDeleted).not.toHaveBeenCalled();
  });
});
