import Offcanvas from 'react-bootstrap/Offcanvas';
import { useTranslation } from 'react-i18next';

import { Brand, type NavItem, SidebarNav } from './sidebar-nav';

/**
 * Keeps the `transitionend` of what is inside the panel (a tapped link's colours) from
 * reaching the panel. react-bootstrap ends the panel's slide on the panel's own
 * `transitionend`, with a timer in case none comes; but any `transitionend` that bubbles up
 * to the panel disarms that timer. A slide cut short (reduced motion switched on meanwhile)
 * sends none of its own, so the panel then stayed open off-screen, its focus trap taking
 * every tap.
 */
function keepTransitionEndsInside(element: HTMLElement | null) {
  element?.addEventListener('transitionend', (event) => {
    if (event.target !== event.currentTarget) event.stopPropagation();
  });
}

export interface MobileNavProps {
  show: boolean;
  onHide: () => void;
  items: readonly NavItem[];
}

/**
 * The sidebar as a panel over the page, below the lg breakpoint (phones, tablets). Its own
 * chunk: react-bootstrap's Offcanvas and the modal machinery behind it load when the menu
 * button is first used, not with every page.
 */
export function MobileNav({ show, onHide, items }: MobileNavProps) {
  const { t } = useTranslation();
  return (
    <Offcanvas
      show={show}
      onHide={onHide}
      placement="start"
      className="app-sidebar d-lg-none"
      aria-labelledby="app-sidebar-title"
    >
      <Offcanvas.Header ref={keepTransitionEndsInside} closeButton closeVariant="white" closeLabel={t('nav.close')}>
        <Offcanvas.Title id="app-sidebar-title" as="div">
          <Brand />
        </Offcanvas.Title>
      </Offcanvas.Header>
      <Offcanvas.Body ref={keepTransitionEndsInside} className="p-0">
        <SidebarNav items={items} onNavigate={onHide} />
      </Offcanvas.Body>
    </Offcanvas>
  );
}
