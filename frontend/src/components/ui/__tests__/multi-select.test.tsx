import { screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { ApiError } from '@/lib/api-error';
import { PICKER_PAGE_SIZE, type PickerOption, type PickerSource } from '@/lib/pickers';
import { renderWithProviders } from '@/testing/test-utils';

import { MultiSelect } from '../multi-select';

/** An in-memory source that pages and names like the API, and counts what it was asked. */
function memorySource(count: number, { failFirstSearch = false } = {}) {
  const all: PickerOption[] = Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    label: `Cliente ${String(index + 1).padStart(2, '0')}`,
  }));
  const asked = { searches: [] as string[], resolved: [] as number[][] };
  let failures = failFirstSearch ? 1 : 0;
  const source: PickerSource = {
    key: `memory-${String(count)}-${String(failFirstSearch)}`,
    search: (text) => {
      asked.searches.push(text);
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new ApiError({ status: 500, code: 'internal_error' }));
      }
      const found = all.filter((option) => option.label.includes(text));
      return Promise.resolve({ items: found.slice(0, PICKER_PAGE_SIZE), total: found.length });
    },
    resolve: (ids) => {
      asked.resolved.push([...ids]);
      return Promise.resolve(all.filter((option) => ids.includes(option.id)));
    },
  };
  return { source, asked };
}

function Harness({
  source,
  initial = [],
  max = 10,
}: {
  source: PickerSource;
  initial?: number[];
  max?: number;
}) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <MultiSelect label="Clientes" help="Escolha clientes." source={source} value={value} onChange={setValue} max={max} />
      <output aria-label="escolhidos">{value.join(',')}</output>
    </>
  );
}

describe('MultiSelect', { timeout: 20_000 }, () => {
  it('shows one bounded page of matches and asks to narrow the search', async () => {
    const { source, asked } = memorySource(45);
    const { user } = renderWithProviders(<Harness source={source} />);
    const group = screen.getByRole('group', { name: 'Clientes' });
    const results = within(group).getByRole('group', { name: 'Clientes: resultados da busca' });
    expect(await within(results).findAllByRole('checkbox')).toHaveLength(PICKER_PAGE_SIZE);
    expect(group).toHaveTextContent('mostrando 20 de 45, refine a busca');
    expect(group).toHaveTextContent('Nenhum escolhido');

    await user.type(within(group).getByLabelText('Buscar: Clientes'), 'Cliente 4');
    await waitFor(() => expect(within(results).getAllByRole('checkbox')).toHaveLength(6));
    expect(group).not.toHaveTextContent('refine a busca');
    // Debounced: one request for the typed text, not one per key.
    expect(asked.searches).toEqual(['', 'Cliente 4']);
  });

  it('adds and removes choices, and stops at the limit', async () => {
    const { source } = memorySource(5);
    const { user } = renderWithProviders(<Harness source={source} max={2} />);
    const group = screen.getByRole('group', { name: 'Clientes' });
    await user.click(await within(group).findByLabelText('Cliente 01'));
    await user.click(within(group).getByLabelText('Cliente 03'));
    expect(screen.getByLabelText('escolhidos')).toHaveTextContent('1,3');
    expect(group).toHaveTextContent('2 escolhidos · limite de 2 atingido');
    expect(within(group).getByLabelText('Cliente 02')).toBeDisabled();
    expect(within(group).getByLabelText('Cliente 01')).toBeEnabled();

    await user.click(within(group).getByRole('button', { name: 'Remover Cliente 01' }));
    expect(screen.getByLabelText('escolhidos')).toHaveTextContent('3');
    expect(within(group).getByLabelText('Cliente 01')).not.toBeChecked();
    expect(within(group).getByLabelText('Cliente 02')).toBeEnabled();
    await user.click(within(group).getByLabelText('Cliente 03'));
    expect(screen.getByLabelText('escolhidos')).toHaveTextContent('');
  });

  it('names the choices it started with once, and shows a number for one that is gone', async () => {
    const { source, asked } = memorySource(30);
    renderWithProviders(<Harness source={source} initial={[25, 29, 99]} />);
    const group = screen.getByRole('group', { name: 'Clientes' });
    expect(await within(group).findByRole('button', { name: 'Remover Cliente 25' })).toBeVisible();
    expect(within(group).getByRole('button', { name: 'Remover Cliente 29' })).toBeVisible();
    expect(within(group).getByRole('button', { name: 'Remover #99' })).toBeVisible();
    expect(asked.resolved).toEqual([[25, 29, 99]]);
  });

  it('says when the matches could not be loaded and tries again', async () => {
    const { source } = memorySource(3, { failFirstSearch: true });
    const { user } = renderWithProviders(<Harness source={source} />);
    const group = screen.getByRole('group', { name: 'Clientes' });
    expect(await within(group).findByText('Não foi possível carregar as opções.')).toBeVisible();
    await user.click(within(group).getByRole('button', { name: 'Tentar novamente' }));
    expect(await within(group).findAllByRole('checkbox')).toHaveLength(3);
  });
});
