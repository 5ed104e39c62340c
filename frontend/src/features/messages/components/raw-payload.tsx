import { useId, useState } from 'react';
import Button from 'react-bootstrap/Button';

import { CopyButton } from '@/components/ui/copy-button';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { SvgIcon } from '@/components/ui/svg-icon';

import { useMessageRaw } from '../api/get-message';
import { useMessagesTranslation } from '../i18n';
import { icons } from './icons';

/** The raw Evolution payload as pretty JSON, fetched when opened (admins only). */
export function RawPayload({ messageId }: { messageId: number }) {
  const { t } = useMessagesTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  const raw = useMessageRaw(messageId, open);
  const json = raw.data ? JSON.stringify(raw.data, null, 2) : '';

  return (
    <section className="mt-4" aria-labelledby={`${id}-title`}>
      <h3 className="h6" id={`${id}-title`}>
        <SvgIcon svg={icons.braces} className="me-1" />
        {t('detail.raw')}
      </h3>
      <p className="small text-body-secondary mb-2">{t('detail.rawHelp')}</p>
      <div className="d-flex gap-2 mb-2">
        <Button
          variant="outline-secondary"
          size="sm"
          aria-expanded={open}
          aria-controls={`${id}-json`}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? t('detail.rawHide') : t('detail.rawShow')}
        </Button>
        {open && json ? <CopyButton text={json} label={t('detail.rawCopy')} showLabel /> : null}
      </div>
      <div id={`${id}-json`} hidden={!open}>
        {open && raw.isPending ? <LoadingState /> : null}
        {open && raw.isError ? (
          <ErrorState error={raw.error} onRetry={() => void raw.refetch()} />
        ) : null}
        {json ? (
          <pre className="raw-payload small border rounded p-2 mb-0" tabIndex={0}>
            <code>{json}</code>
          </pre>
        ) : null}
      </div>
    </section>
  );
}
