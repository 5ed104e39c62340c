import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';

const ITEMS = '.dropdown-item:not(:disabled):not(.disabled)';

export interface TopbarMenuProps {
  /** What the toggle button shows (an icon, the user's name…). */
  toggle: ReactNode;
  /** The button's tooltip. */
  title?: string;
  /** Bootstrap's button variant (`link` in the top bar). */
  variant?: string;
  toggleClassName?: string;
  menuClassName?: string;
  /** The menu's content: `.dropdown-item` buttons or links, headers, dividers. */
  children: ReactNode;
}

/**
 * A top bar menu with Bootstrap's dropdown markup and behaviour, without Popper: it opens
 * below its button, aligned to its right edge (Bootstrap's static `.dropdown-menu-end`),
 * which is all a top bar needs. Kept this small because every page loads it first.
 *
 * The keyboard works as in Bootstrap: Enter, Space or the down arrow open it (the arrow
 * focuses the first item), the arrows move between items, Escape closes it and returns
 * to the button, and so does choosing an item; a click elsewhere or leaving it with Tab
 * closes it.
 */
export function TopbarMenu({
  toggle,
  title,
  variant = 'link',
  toggleClassName = '',
  menuClassName = '',
  children,
}: TopbarMenuProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const focusFirst = useRef(false);

  const close = useCallback((refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    if (focusFirst.current) {
      focusFirst.current = false;
      menu.current?.querySelector<HTMLElement>(ITEMS)?.focus();
    }
    const outside = (event: Event) => {
      if (event.target instanceof Node && root.current?.contains(event.target)) return;
      setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    document.addEventListener('touchstart', outside, { passive: true });
    document.addEventListener('focusin', outside);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('touchstart', outside);
      document.removeEventListener('focusin', outside);
    };
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    if (!open) {
      focusFirst.current = true;
      setOpen(true);
      return;
    }
    const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLElement);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : at + step;
    items[Math.min(Math.max(next, 0), items.length - 1)]?.focus();
  };

  return (
    <div className={`dropdown${open ? ' show' : ''}`} ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        id={`${id}-toggle`}
        className={`dropdown-toggle btn btn-${variant} ${toggleClassName}`.trim()}
        title={title}
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => setOpen((current) => !current)}
      >
        {toggle}
      </button>
      {open ? (
        <div
          ref={menu}
          id={`${id}-menu`}
          className={`dropdown-menu dropdown-menu-end show ${menuClassName}`.trim()}
          data-bs-popper="static"
          aria-labelledby={`${id}-toggle`}
          onClick={(event) => {
            // Choosing an item closes the menu (as Bootstrap's autoClose does).
            if (event.target instanceof Element && event.target.closest(ITEMS)) close();
          }}
        >
          {children}
        </div>
      ) : null}
    </div>
  );
}
