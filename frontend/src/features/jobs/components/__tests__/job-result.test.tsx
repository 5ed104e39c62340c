import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { i18n } from '@/lib/i18n';
import { renderWithProviders } from '@/testing/test-utils';

import { parseJobResult } from '../../lib/result';
import { JobResultView } from '../job-result';
import { invoiceResult } from './fixtures';

function field(name: string) {
  const term = screen.getByText(name, { selector: 'dt' });
  return term.closest<HTMLElement>('[data-field]')!;
}

describe('JobResultView', () => {
  it('formats money, the due date and the CNPJ, and says where each came from', async () => {
    renderWithProviders(<JobResultView result={parseJobResult(invoiceResult)} />);

    const amount = await waitFor(() => field('Valor'));
    expect(amount.textContent.replace(/\u00a0/g, ' ')).toContain('R$ 123,45');
    expect(amount).toHaveTextContent('Código de barras do boleto');
    expect(field('Vencimento')).toHaveTextContent('20/12/2026');
    expect(field('CNPJ')).toHaveTextContent('12.345.678/0001-95');
    expect(field('CNPJ')).toHaveTextContent('Texto da imagem (OCR)');
    expect(field('Beneficiário')).toHaveTextContent('Loja Exemplo LTDA');
    expect(field('Beneficiário')).toHaveTextContent('QR Code PIX');
    expect(screen.getByText(/differs from boleto_barcode/)).toBeVisible();
  });

  it('copies the typeable line as digits and the PIX key as it is', async () => {
    // user-event puts a fake clipboard on navigator.
    const { user } = renderWithProviders(<JobResultView result={parseJobResult(invoiceResult)} />);

    const line = await waitFor(() => field('Linha digitável'));
    await user.click(within(line).getByRole('button', { name: 'Copiar: Linha digitável' }));
    expect(await navigator.clipboard.readText()).toBe(
      '00190000090123456789123456789012312340000012345',
    );
    expect(await within(line).findByRole('status')).toHaveTextContent('Copiado!');

    await user.click(screen.getByRole('button', { name: 'Copiar: Chave PIX' }));
    await waitFor(async () =>
      expect(await navigator.clipboard.readText()).toBe('pagamentos@exemplo.com.br'),
    );
  });

  it('formats for English readers too, still in reais', async () => {
    await i18n.changeLanguage('en');
    renderWithProviders(<JobResultView result={parseJobResult(invoiceResult)} />);
    expect(await waitFor(() => field('Amount'))).toHaveTextContent('R$123.45');
    expect(field('Due date')).toHaveTextContent('12/20/2026');
  });

  it('warns when only OCR read the values, and says when nothing was found', () => {
    const ocrOnly = {
      ...invoiceResult,
      summary: { amount: '50', sources: { amount: 'ocr' }, warnings: [] },
    };
    const { unmount } = renderWithProviders(<JobResultView result={parseJobResult(ocrOnly)} />);
    return waitFor(() => {
      expect(screen.getByText(/confira antes de pagar/)).toBeVisible();
    }).then(async () => {
      unmount();
      renderWithProviders(<JobResultView result={parseJobResult({ summary: { sources: {} } })} />);
      expect(await screen.findByText(/Nenhum código de barras/)).toBeVisible();
    });
  });

  it('survives a result of an unexpected shape', async () => {
    renderWithProviders(
      <JobResultView result={parseJobResult({ summary: { amount: { weird: true } }, ocr: 3 })} />,
    );
    expect(await screen.findByText(/Nenhum código de barras/)).toBeVisible();
  });
});
