import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { renderWithProviders } from '@/testing/test-utils';

import { LanguageMenu } from '../language-menu';
import { TopbarMenu } from '../topbar-menu';

function Menus({ onPick }: { onPick: (item: string) => void }) {
  return (
    <>
      <TopbarMenu toggle="Frutas" title="Escolha uma fruta">
        <button type="button" className="dropdown-item" onClick={() => onPick('maçã')}>
          Maçã
        </button>
        <button type="button" className="dropdown-item" disabled>
          Banana
        </button>
        <button type="button" className="dropdown-item" onClick={() => onPick('pera')}>
          Pera
        </button>
      </TopbarMenu>
      <button type="button">Outro botão</button>
    </>
  );
}

describe('TopbarMenu', () => {
  it('opens and closes with clicks, and choosing an item closes it and refocuses the button', async () => {
    const onPick = vi.fn();
    const { user } = renderWithProviders(<Menus onPick={onPick} />);
    const toggle = screen.getByRole('button', { name: 'Frutas' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('button', { name: 'Maçã' })).not.toBeInTheDocument();

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const menu = document.getElementById(toggle.getAttribute('aria-controls') ?? '');
    expect(menu).toHaveClass('dropdown-menu', 'dropdown-menu-end', 'show');
    expect(menu).toHaveAttribute('aria-labelledby', toggle.id);

    await user.click(screen.getByRole('button', { name: 'Pera' }));
    expect(onPick).toHaveBeenCalledWith('pera');
    expect(screen.queryByRole('button', { name: 'Pera' })).not.toBeInTheDocument();
    expect(toggle).toHaveFocus();

    await user.click(toggle);
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
  });

  it('works from the keyboard: arrows move between enabled items, Escape closes', async () => {
    const { user } = renderWithProviders(<Menus onPick={vi.fn()} />);
    const toggle = screen.getByRole('button', { name: 'Frutas' });
    toggle.focus();

    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('button', { name: 'Maçã' })).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('button', { name: 'Pera' })).toHaveFocus(); // Banana is disabled
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('button', { name: 'Pera' })).toHaveFocus(); // stays on the last
    await user.keyboard('{ArrowUp}');
    expect(screen.getByRole('button', { name: 'Maçã' })).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('button', { name: 'Maçã' })).not.toBeInTheDocument();
    expect(toggle).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
  });

  it('closes on a click or focus elsewhere', async () => {
    const { user } = renderWithProviders(<Menus onPick={vi.fn()} />);
    const toggle = screen.getByRole('button', { name: 'Frutas' });
    await user.click(toggle);
    await user.click(screen.getByRole('button', { name: 'Outro botão' }));
    expect(toggle).toHaveAttribute('aria-expanded', 'false');

    await user.click(toggle);
    await user.tab(); // into the menu: still open
    expect(screen.getByRole('button', { name: 'Maçã' })).toHaveFocus();
    await user.tab(); // Banana is disabled: Pera
    await user.tab(); // out of the menu
    expect(screen.getByRole('button', { name: 'Outro botão' })).toHaveFocus();
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
  });
});

describe('LanguageMenu', () => {
  it('switches to English (fetched on request) and back', async () => {
    const { user } = renderWithProviders(<LanguageMenu />);
    await user.click(screen.getByRole('button', { name: 'Idioma: Português (Brasil)' }));
    expect(screen.getByRole('button', { name: 'Português (Brasil)' })).toHaveAttribute(
      'aria-current',
      'true',
    );
    await user.click(screen.getByRole('button', { name: 'English' }));
    expect(await screen.findByRole('button', { name: 'Language: English' })).toBeVisible();
    expect(document.documentElement.lang).toBe('en');

    await user.click(screen.getByRole('button', { name: 'Language: English' }));
    await user.click(screen.getByRole('button', { name: 'Português (Brasil)' }));
    expect(await screen.findByRole('button', { name: 'Idioma: Português (Brasil)' })).toBeVisible();
  });
});
