import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { InstanceEditForm } from '../components/instance-edit-form';
import { makeInstance } from './factories';

function renderForm(instance = makeInstance({ id: 7, message_retention_days: null })) {
  const onSaved = vi.fn();
  const result = renderWithProviders(
    <InstanceEditForm instance={instance} onSaved={onSaved} onCancel={vi.fn()} />,
  );
  return { ...result, onSaved };
}

const patched = async (requests: Request[]) => {
  const found = requests.find((request) => request.method === 'PATCH');
  if (!found) throw new Error('no PATCH');
  return (await found.json()) as Record<string, unknown>;
};

describe('InstanceEditForm: message retention', () => {
  it('sets how many days the instance keeps its messages, and refuses what is not a number of days', async () => {
    const saved = makeInstance({ id: 7, message_retention_days: 90 });
    const { requests } = mockFetch({ 'PATCH /api/instances/7': () => json(saved) });
    const { user, onSaved } = renderForm();

    const days = screen.getByLabelText('Guardar as mensagens por (dias)');
    expect(days).toHaveValue('');
    expect(days).toHaveAccessibleDescription(/Em branco: a regra do servidor/);
    await user.type(days, '0');
    expect(await screen.findByText(/de 1 a 36500, ou deixe em branco/)).toBeVisible();
    await user.clear(days);
    await user.type(days, '90');
    await waitFor(() => expect(screen.queryByText(/de 1 a 36500/)).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Salvar alterações' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
    const body = await patched(requests);
    expect(body.message_retention_days).toBe(90);
    expect(body).not.toHaveProperty('phone_number'); // unchanged: not sent
  });

  it('clears an instance’s own setting back to the server’s rule', async () => {
    const instance = makeInstance({ id: 7, message_retention_days: 30 });
    const { requests } = mockFetch({
      'PATCH /api/instances/7': () => json({ ...instance, message_retention_days: null }),
    });
    const { user, onSaved } = renderForm(instance);

    const days = screen.getByLabelText('Guardar as mensagens por (dias)');
    expect(days).toHaveValue('30');
    await user.clear(days);
    await user.click(screen.getByRole('button', { name: 'Salvar alterações' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect((await patched(requests)).message_retention_days).toBeNull();
  });
});
