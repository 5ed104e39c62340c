import { useEffect, useRef, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import ButtonGroup from 'react-bootstrap/ButtonGroup';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';

import type { ConnectRead, ConnectRequest } from '@/api/generated/types.gen';
import { Icon } from '@/components/ui/icon';
import { EVENT, useRealtimeEvent } from '@/lib/realtime';

import type { Instance } from '../api/get-instances';
import { useConnectInstance } from '../api/instance-actions';
import { digitsOf, isCompletePhone, maskPhone, maskStoredPhone } from '../lib/phone';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

/** Ask for a new code when no `instance.qr` event arrived for this long. */
export const QR_POLL_MS = 20_000;
/** How long "Conectada!" stays before the dialog closes itself. */
export const CLOSE_DELAY_MS = 1500;

export interface ConnectDialogProps {
  instance: Instance;
  show: boolean;
  onHide: () => void;
  /** Called once when the instance is seen connected. */
  onConnected?: () => void;
  pollIntervalMs?: number;
  closeDelayMs?: number;
}

/**
 * Connects an instance: a QR code that refreshes itself (on `instance.qr` events, and by
 * asking again when no event came for a while), or a pairing code for a phone number.
 * When the instance reports `open` the dialog says so and closes itself.
 */
export function ConnectDialog({ instance, show, onHide, ...rest }: ConnectDialogProps) {
  const { t } = useInstancesTranslation();
  return (
    <Modal show={show} onHide={onHide} centered aria-labelledby="connect-dialog-title">
      <Modal.Header closeButton closeLabel={t('connect.close')}>
        <Modal.Title id="connect-dialog-title" as="h2" className="h5">
          {t('connect.title', { name: instance.display_name })}
        </Modal.Title>
      </Modal.Header>
      {/* Mounted only while open: each opening starts afresh. */}
      {show ? <ConnectDialogBody instance={instance} onHide={onHide} {...rest} /> : null}
    </Modal>
  );
}

type Method = 'qr' | 'pairing';
type Phase = 'requesting' | 'qr' | 'waiting' | 'pairing-form' | 'pairing' | 'error';

function formatPairingCode(code: string): string {
  return /^[A-Z0-9]{8}$/i.test(code) ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

function ConnectDialogBody({
  instance,
  onHide,
  onConnected,
  pollIntervalMs = QR_POLL_MS,
  closeDelayMs = CLOSE_DELAY_MS,
}: Omit<ConnectDialogProps, 'show'>) {
  const { t } = useInstancesTranslation();
  const connect = useConnectInstance();
  const [method, setMethod] = useState<Method>('qr');
  const [phase, setPhase] = useState<Phase>('requesting');
  const [qr, setQr] = useState<string | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const [pairingCode, setPairingCode] = useState<string | null>(null);
  const [retryAfter, setRetryAfter] = useState<number | null>(null);
  const [phone, setPhone] = useState(() => maskStoredPhone(instance.phone_number));
  const [phoneError, setPhoneError] = useState(false);
  const [connected, setConnected] = useState(false);
  /** When the QR last changed (an answer or an event): polling waits this long. */
  const lastActivity = useRef(0);
  const methodRef = useRef<Method>('qr');
  const started = useRef(false);
  // The page's copy of the instance may learn it first (it listens too).
  const isConnected = connected || instance.status === 'open';

  const request = (body: ConnectRequest) => {
    setPhase('requesting');
    connect.mutate(
      { id: instance.id, body },
      {
        onSuccess: (data: ConnectRead) => {
          // An answer for a method that is no longer shown is stale.
          const wanted: Method = body.method === 'pairing_code' ? 'pairing' : 'qr';
          if (methodRef.current !== wanted) return;
          lastActivity.current = Date.now();
          if (data.outcome === 'already_open' || data.instance.status === 'open') {
            setConnected(true);
          } else if (data.outcome === 'qr_code' && data.qr_code) {
            setQr(data.qr_code);
            setCount(data.count ?? null);
            setPhase('qr');
          } else if (data.outcome === 'pairing_code' && data.pairing_code) {
            setPairingCode(data.pairing_code);
            setPhase('pairing');
          } else {
            setRetryAfter(data.retry_after_seconds ?? 3);
            setPhase('waiting');
          }
        },
        onError: () => setPhase('error'),
      },
    );
  };

  const requestQr = () => request({ method: 'qr_code' });

  // Opened: ask for a QR code (once, even under StrictMode's double effects).
  useEffect(() => {
    if (started.current || instance.status === 'open') return;
    started.current = true;
    requestQr();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the dialog opens
  }, []);

  // "No QR yet": ask again after the time the API suggested.
  useEffect(() => {
    if (phase !== 'waiting' || isConnected || retryAfter === null) return;
    const timer = setTimeout(requestQr, retryAfter * 1000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- requestQr is stable enough
  }, [phase, retryAfter, isConnected]);

  // Showing a QR: if no event refreshed it for a while, ask for a fresh one.
  useEffect(() => {
    if (phase !== 'qr' || isConnected) return;
    const timer = setInterval(
      () => {
        if (Date.now() - lastActivity.current >= pollIntervalMs) requestQr();
      },
      Math.max(250, Math.floor(pollIntervalMs / 4)),
    );
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- requestQr is stable enough
  }, [phase, isConnected, pollIntervalMs]);

  useRealtimeEvent(EVENT.instanceQr, (event) => {
    if (event.data.id !== instance.id || isConnected) return;
    lastActivity.current = Date.now();
    if (methodRef.current === 'qr' && event.data.qr) {
      setQr(event.data.qr);
      setCount((previous) => (previous === null ? null : previous + 1));
      setPhase('qr');
    } else if (methodRef.current === 'pairing' && event.data.pairing_code) {
      setPairingCode(event.data.pairing_code);
      setPhase('pairing');
    }
  });

  useRealtimeEvent(EVENT.instanceUpdated, (event) => {
    if (event.data.id === instance.id && event.data.status === 'open') setConnected(true);
  });

  // Connected: say so, tell the page, close.
  useEffect(() => {
    if (!isConnected) return;
    onConnected?.();
    const timer = setTimeout(onHide, closeDelayMs);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when connected
  }, [isConnected]);

  const chooseMethod = (next: Method) => {
    if (next === methodRef.current) return;
    methodRef.current = next;
    setMethod(next);
    if (next === 'qr') {
      requestQr();
    } else {
      setPhase('pairing-form');
    }
  };

  const submitPairing = () => {
    if (!isCompletePhone(phone)) {
      setPhoneError(true);
      return;
    }
    setPhoneError(false);
    request({ method: 'pairing_code', phone_number: digitsOf(phone) });
  };

  if (isConnected) {
    return (
      <Modal.Body>
        <Alert variant="success" className="d-flex gap-2 align-items-start mb-0" role="status">
          <Icon name="check-circle-fill" className="flex-shrink-0 mt-1" size="1.25rem" />
          <div>
            <strong className="d-block">{t('connect.connected')}</strong>
            {t('connect.connectedText', { name: instance.display_name })}
          </div>
        </Alert>
      </Modal.Body>
    );
  }

  return (
    <>
      <Modal.Body>
        <ButtonGroup className="w-100 mb-3" role="group" aria-label={t('connect.methodLabel')}>
          <Button
            variant={method === 'qr' ? 'primary' : 'outline-primary'}
            aria-pressed={method === 'qr'}
            onClick={() => chooseMethod('qr')}
          >
            <FeatureIcon name="qr-code" className="me-2" />
            {t('connect.qr')}
          </Button>
          <Button
            variant={method === 'pairing' ? 'primary' : 'outline-primary'}
            aria-pressed={method === 'pairing'}
            onClick={() => chooseMethod('pairing')}
          >
            <FeatureIcon name="telephone" className="me-2" />
            {t('connect.pairing')}
          </Button>
        </ButtonGroup>

        {phase === 'error' ? (
          <InstanceError
            error={connect.error}
            title={t('connect.failed')}
            onRetry={method === 'qr' ? requestQr : submitPairing}
          />
        ) : null}

        {method === 'qr' ? (
          <div className="text-center">
            <div className="qr-frame mx-auto mb-3" aria-live="polite">
              {phase === 'qr' && qr ? (
                <img
                  src={qr}
                  alt={t('connect.qrAlt', { name: instance.display_name })}
                  width={264}
                  height={264}
                  className="qr-image"
                  data-testid="qr-image"
                />
              ) : phase === 'waiting' ? (
                <p className="qr-placeholder text-body-secondary small mb-0">
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('connect.noQrYet', { count: retryAfter ?? 3 })}
                </p>
              ) : phase === 'requesting' ? (
                <p className="qr-placeholder text-body-secondary small mb-0">
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('connect.requesting')}
                </p>
              ) : null}
            </div>
            <p className="small mb-1">{t('connect.qrHelp')}</p>
            <p className="small text-body-secondary mb-0">
              {t('connect.qrRefreshes')}
              {count ? ` · ${t('connect.qrCount', { count })}` : null}
            </p>
          </div>
        ) : (
          <div>
            <Form
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                submitPairing();
              }}
            >
              <Form.Group className="mb-3" controlId="connect-phone">
                <Form.Label>{t('connect.pairingPhone')}</Form.Label>
                <div className="d-flex gap-2">
                  <Form.Control
                    type="tel"
                    inputMode="tel"
                    value={phone}
                    placeholder="+55 (11) 98765-4321"
                    onChange={(event) => setPhone(maskPhone(event.target.value))}
                    isInvalid={phoneError}
                    aria-invalid={phoneError}
                    aria-describedby="connect-phone-help"
                  />
                  <Button type="submit" disabled={connect.isPending} className="text-nowrap">
                    {t('connect.pairingSubmit')}
                  </Button>
                </div>
                {phoneError ? (
                  <div className="invalid-feedback d-block">
                    {t('form.validation.phoneInvalid')}
                  </div>
                ) : null}
                <Form.Text id="connect-phone-help">{t('connect.pairingHelp')}</Form.Text>
              </Form.Group>
            </Form>
            <div aria-live="polite">
              {phase === 'requesting' ? (
                <p className="text-body-secondary small">
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('connect.requesting')}
                </p>
              ) : null}
              {phase === 'pairing' && pairingCode ? (
                <div className="text-center border rounded p-3">
                  <div className="small text-body-secondary">{t('connect.pairingCode')}</div>
                  <div className="pairing-code font-monospace fw-bold" data-testid="pairing-code">
                    {formatPairingCode(pairingCode)}
                  </div>
                  <p className="small mb-0 mt-2">{t('connect.pairingCodeHelp')}</p>
                </div>
              ) : null}
            </div>
          </div>
        )}
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onHide}>
          {t('connect.close')}
        </Button>
      </Modal.Footer>
    </>
  );
}
