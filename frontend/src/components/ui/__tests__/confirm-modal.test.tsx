import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api-error';
import { renderWithProviders } from '@/testing/test-utils';

import { ConfirmModal } from '../confirm-modal';

describe('ConfirmModal', () => {
  it('names the dialog by its question and confirms or cancels', async () => {
    const onConfirm = vi.fn();
    const onClose = vi.fn();
    renderWithProviders(
      <ConfirmModal
        title="Revogar a chave CRM?"
        confirmLabel="Revogar"
        onConfirm={onConfirm}
        onClose={onClose}
      >
        <p>Quem a usa deixa de ter acesso.</p>
      </ConfirmModal>,
    );
    const dialog = await screen.findByRole('dialog', { name: 'Revogar a chave CRM?' });
    expect(dialog).toHaveTextContent('Quem a usa deixa de ter acesso.');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Revogar' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Cancelar' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('keeps the button disabled until the confirmation is typed exactly', async () => {
    const onConfirm = vi.fn();
    renderWithProviders(
      <ConfirmModal
        title="Excluir 12 instâncias?"
        confirmLabel="Excluir"
        onConfirm={onConfirm}
        onClose={() => undefined}
        typedConfirmation={{ expected: '12', label: 'Digite 12 para confirmar' }}
      >
        <p>Não tem volta.</p>
      </ConfirmModal>,
    );
    const button = await screen.findByRole('button', { name: 'Excluir' });
    expect(button).toBeDisabled();
    const user = userEvent.setup();
    const field = screen.getByLabelText('Digite 12 para confirmar');
    await user.type(field, '1');
    expect(button).toBeDisabled();
    await user.type(field, '2{Enter}');
    expect(button).toBeEnabled();
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('shows the action error and blocks a second click while pending', async () => {
    const onConfirm = vi.fn();
    renderWithProviders(
      <ConfirmModal
        title="Encerrar todas as sessões?"
        confirmLabel="Encerrar"
        onConfirm={onConfirm}
        onClose={() => undefined}
        pending
        error={new ApiError({ status: 403, code: 'forbidden', detail: 'Sem permissão.' })}
      >
        <p>Você sairá de todos os aparelhos.</p>
      </ConfirmModal>,
    );
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Encerrar' })).toBeDisabled();
  });
});
