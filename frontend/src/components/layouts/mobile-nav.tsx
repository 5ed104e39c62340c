import Offcanvas from 'react-bootstrap/Offcanvas';
import { useTranslation } from 'react-i18next';

import { Brand, type NavItem, SidebarNav } from './sidebar-nav';

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
      <Offcanvas.Header closeButton closeVariant="white" closeLabel={t('nav.close')}>
        <Offcanvas.Title id="app-sidebar-title" as="div">
          <Brand />
        </Offcanvas.Title>
      </Offcanvas.Header>
      <Offcanvas.Body className="p-0">
        <SidebarNav items={items} onNavigate={onHide} />
      </Offcanvas.Body>
    </Offcanvas>
  );
}
