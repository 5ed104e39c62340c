import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { formatNumber } from '@/lib/format';

export interface PagerProps {
  /** 1-based. */
  page: number;
  pageSize: number;
  total: number;
  onPageChange: (page: number) => void;
  /** Names the navigation landmark, e.g. "Páginas de usuários". */
  label?: string;
}

/** "Página 2 de 5 · 123 itens" with previous/next buttons, for offset-paginated lists. */
export function Pager({ page, pageSize, total, onPageChange, label }: PagerProps) {
  const { t, i18n } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (total <= pageSize && page <= 1) return null;
  return (
    <nav
      aria-label={label ?? t('pager.label')}
      className="d-flex flex-wrap align-items-center justify-content-between gap-2 mt-3"
    >
      <span className="text-body-secondary small">
        {t('pager.status', { page, pages, total: formatNumber(total, i18n.language) })}
      </span>
      <div className="d-flex gap-2">
        <Button
          variant="outline-secondary"
          size="sm"
          disabled={page <= 1}
          onClick={() => onPageChange(page - 1)}
        >
          {t('pager.previous')}
        </Button>
        <Button
          variant="outline-secondary"
          size="sm"
          disabled={page >= pages}
          onClick={() => onPageChange(page + 1)}
        >
          {t('pager.next')}
        </Button>
      </div>
    </nav>
  );
}
