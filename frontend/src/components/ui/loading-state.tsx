import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

export interface LoadingStateProps {
  /** Text next to the spinner; "Carregando…" by default. */
  label?: string;
  /** Centre it in the whole viewport (before the shell exists). */
  fullPage?: boolean;
  /** Keep the room the loaded content will take (px), so that nothing below it moves
   * when the data arrives: a click aimed at a card further down lands where it aimed. */
  minHeight?: number;
}

export function LoadingState({ label, fullPage = false, minHeight }: LoadingStateProps) {
  const { t } = useTranslation();
  return (
    <div
      role="status"
      aria-live="polite"
      className={`d-flex align-items-center justify-content-center gap-2 text-body-secondary ${
        fullPage ? 'min-vh-100' : 'py-5'
      }`}
      style={minHeight === undefined ? undefined : { minHeight }}
    >
      <Spinner animation="border" size="sm" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}
