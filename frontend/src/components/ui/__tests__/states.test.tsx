import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api-error';
import { i18n } from '@/lib/i18n';
import { INSTANCE_STATUSES } from '@/lib/instance-status';

import { EmptyState } from '../empty-state';
import { ErrorState } from '../error-state';
import { LoadingState } from '../loading-state';
import { StatusBadge } from '../status-badge';

describe('StatusBadge', () => {
  it.each([
    ['created', 'Criada'],
    ['connecting', 'Conectando'],
    ['open', 'Conectada'],
    ['close', 'Desconectada'],
    ['refused', 'Recusada'],
    ['unreachable', 'Inacessível'],
  ])('labels %s as %s', (status, label) => {
    render(<StatusBadge status={status} />);
    expect(screen.getByText(label)).toHaveAttribute('data-status', status);
  });

  it('covers every status', () => {
    expect(INSTANCE_STATUSES).toHaveLength(6);
  });

  it('shows an unknown status as it is', () => {
    render(<StatusBadge status="qr_pending" />);
    expect(screen.getByText('qr_pending')).toBeInTheDocument();
  });

  it('speaks English on request', async () => {
    await i18n.changeLanguage('en');
    render(<StatusBadge status="open" />);
    expect(screen.getByText('Connected')).toBeInTheDocument();
  });
});

describe('ErrorState', () => {
  it('explains an ApiError readably, with its field errors, and retries', async () => {
    const onRetry = vi.fn();
    const error = ApiError.fromResponse(
      {
        error: 'unprocessable',
        detail: 'Dados inválidos',
        errors: [{ field: 'name', message: 'Obrigatório' }],
      },
      { status: 422, headers: new Headers() },
    );
    render(<ErrorState error={error} onRetry={onRetry} />);

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Algo deu errado');
    expect(alert).toHaveTextContent('Dados inválidos');
    expect(alert).toHaveTextContent('name: Obrigatório');

    await userEvent.click(screen.getByRole('button', { name: 'Tentar novamente' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('explains a network error', () => {
    render(<ErrorState error={ApiError.network(new TypeError('Failed to fetch'))} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Não foi possível falar com o servidor');
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});

describe('LoadingState and EmptyState', () => {
  it('announce themselves', () => {
    render(
      <>
        <LoadingState />
        <EmptyState title="Nenhuma instância" description="Crie a primeira." />
      </>,
    );
    expect(screen.getByRole('status')).toHaveTextContent('Carregando…');
    expect(screen.getByRole('region', { name: 'Nenhuma instância' })).toHaveTextContent(
      'Crie a primeira.',
    );
  });
});
