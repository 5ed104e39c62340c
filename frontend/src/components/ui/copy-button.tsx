import clipboardSvg from 'bootstrap-icons/icons/clipboard.svg?raw';
import checkSvg from 'bootstrap-icons/icons/check2.svg?raw';
import { useEffect, useState } from 'react';
import Button, { type ButtonProps } from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { copyText } from '@/lib/clipboard';

import { SvgIcon } from './svg-icon';

export interface CopyButtonProps {
  /** What goes to the clipboard. */
  text: string;
  /** Accessible name, e.g. "Copiar a linha digitável"; "Copiar" by default. */
  label?: string;
  /** Show the label next to the icon (otherwise icon only, label as its name). */
  showLabel?: boolean;
  /** A shorter visible text than `label` (which stays the accessible name, and must start
   * with it so speech control finds the button by what it shows). */
  visibleLabel?: string;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  className?: string;
}

type State = 'idle' | 'copied' | 'failed';

/** Copies `text`, then says so for two seconds (announced to screen readers too). */
export function CopyButton({
  text,
  label,
  showLabel = false,
  visibleLabel,
  variant = 'outline-secondary',
  size = 'sm',
  className,
}: CopyButtonProps) {
  const { t } = useTranslation();
  const [state, setState] = useState<State>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);

  const name = label ?? t('common.copy');
  const feedback =
    state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : '';
  return (
    <>
      <Button
        variant={state === 'copied' ? 'success' : variant}
        size={size}
        className={className}
        onClick={() => {
          copyText(text).then(
            () => setState('copied'),
            () => setState('failed'),
          );
        }}
        aria-label={showLabel && !visibleLabel ? undefined : name}
        title={showLabel ? undefined : name}
      >
        <SvgIcon svg={state === 'copied' ? checkSvg : clipboardSvg} />
        {showLabel ? (
          <span className="ms-1">
            {state === 'copied' ? t('common.copied') : (visibleLabel ?? name)}
          </span>
        ) : null}
      </Button>
      <span className="visually-hidden" role="status" aria-live="polite">
        {feedback}
      </span>
    </>
  );
}
