import Alert from 'react-bootstrap/Alert';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { formatNumber } from '@/lib/format';

import type { TestResult } from '../api/test-server';
import { SERVERS_NS } from '../locales';

/** What "Testar conexão" found: versions, key validity, instance count, latency. */
export function TestResultView({ result }: { result: TestResult }) {
  const { t, i18n } = useTranslation(SERVERS_NS);
  const ok = result.reachable && result.api_key_valid;
  const rows: [string, string][] = [
    [t('test.version'), result.version ?? t('list.unknown')],
    [t('test.waVersion'), result.whatsapp_web_version ?? t('list.unknown')],
  ];
  if (result.instance_count !== null) {
    rows.push([t('test.instanceCount'), formatNumber(result.instance_count, i18n.language)]);
  }
  if (result.client_name) rows.push([t('test.clientName'), result.client_name]);
  rows.push([
    t('test.latency'),
    t('test.latencyValue', { ms: formatNumber(Math.round(result.latency_ms), i18n.language) }),
  ]);

  return (
    <Alert
      variant={ok ? 'success' : 'warning'}
      role="status"
      className="mb-0"
      data-testid="test-result"
    >
      <div className="d-flex gap-2">
        <Icon
          name={ok ? 'check-circle-fill' : 'exclamation-triangle'}
          className="flex-shrink-0 mt-1"
        />
        <div className="flex-grow-1 min-w-0">
          <strong className="d-block mb-1">{ok ? t('test.ok') : t('test.keyInvalid')}</strong>
          {!ok && result.detail ? (
            <p className="small mb-2 text-break">{t('test.detail', { detail: result.detail })}</p>
          ) : null}
          <dl className="test-result-grid small mb-0">
            {rows.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </div>
      </div>
    </Alert>
  );
}
