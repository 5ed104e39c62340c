import type { ReactNode } from 'react';
import Dropdown from 'react-bootstrap/Dropdown';

/**
 * The menu of a table row's actions (inside a `Dropdown`). Positioned `fixed`, so that the
 * table's horizontal scroller does not clip it; and fixed from its first paint
 * (`position-fixed`): with only Popper's fixed strategy, Popper's first measure takes the
 * menu for Bootstrap's absolutely positioned one and puts it near the top of the window
 * (the users list's menu opened at y 33 for a button at y 369).
 */
export function RowActionsMenu({ children }: { children: ReactNode }) {
  return (
    <Dropdown.Menu className="position-fixed" popperConfig={{ strategy: 'fixed' }}>
      {children}
    </Dropdown.Menu>
  );
}
