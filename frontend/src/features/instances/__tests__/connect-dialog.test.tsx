import { act, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { ConnectRead } from '@/api/generated/types.gen';
import { RealtimeProvider } from '@/lib/realtime';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderWithProviders } from '@/testing/test-utils';

import { ConnectDialog, type ConnectDialogProps } from '../components/connect-dialog';
import { connectAnswer, makeInstance, QR_1, QR_2, QR_3 } from './factories';

const CONNECT = 'POST /api/instances/7/connect';

/** Answers the connect calls in order (the last one repeats). */
function connectReplies(...answers: ConnectRead[]) {
  let call = 0;
  return mockFetch({
    [CONNECT]: () => {
      const answer = answers[Math.min(call, answers.length - 1)];
      call += 1;
      return json(answer);
    },
  });
}

function renderDialog(props: Partial<ConnectDialogProps> = {}) {
  const onHide = vi.fn();
  const onConnected = vi.fn();
  const result = renderWithProviders(
    <RealtimeProvider>
      <ConnectDialog
        instance={makeInstance()}
        show
        onHide={onHide}
        onConnected={onConnected}
        pollIntervalMs={60_000}
        closeDelayMs={50}
        {...props}
      />
    </RealtimeProvider>,
  );
  const socket = MockWebSocket.latest();
  act(() => socket.serverOpen());
  const push = (type: string, data: unknown) => {
    act(() => socket.serverSend({ id: crypto.randomUUID(), type, at: new Date().toISOString(), data }));
  };
  return { ...result, onHide, onConnected, push };
}

const qrImage = () => screen.findByRole('img', { name: 'QR code para conectar Loja Centro ao WhatsApp' });

describe('ConnectDialog', () => {
  it('asks for a QR code when opened and shows it', async () => {
    const { requests } = connectReplies(connectAnswer());
    renderDialog();

    expect(screen.getByRole('dialog', { name: 'Conectar Loja Centro' })).toBeVisible();
    expect(await qrImage()).toHaveAttribute('src', QR_1);
    expect(requests).toHaveLength(1);
    expect(await requests[0].json()).toEqual({ method: 'qr_code' });
    expect(screen.getByText(/Código nº 1/)).toBeVisible();
  });

  it('refreshes the QR on instance.qr events for this instance only', async () => {
    const { requests } = connectReplies(connectAnswer());
    const { push } = renderDialog();
    await qrImage();

    push('instance.qr', { id: 8, qr: QR_3, code: 'x', pairing_code: null, at: '' });
    expect(await qrImage()).toHaveAttribute('src', QR_1);

    push('instance.qr', { id: 7, qr: QR_2, code: 'y', pairing_code: null, at: '' });
    await waitFor(async () => expect(await qrImage()).toHaveAttribute('src', QR_2));
    expect(screen.getByText(/Código nº 2/)).toBeVisible();
    expect(requests).toHaveLength(1);
  });

  it('asks again when no QR event came for a while', async () => {
    const { requests } = connectReplies(
      connectAnswer(),
      connectAnswer({ qr_code: QR_2, count: 2 }),
    );
    renderDialog({ pollIntervalMs: 300 });
    expect(await qrImage()).toHaveAttribute('src', QR_1);
    await waitFor(async () => expect(await qrImage()).toHaveAttribute('src', QR_2), {
      timeout: 3000,
    });
    expect(requests.length).toBeGreaterThanOrEqual(2);
  });

  it('waits and retries when the server has no QR yet', async () => {
    const { requests } = connectReplies(
      connectAnswer({ outcome: 'no_qr_yet', qr_code: null, count: 0, retry_after_seconds: 0 }),
      connectAnswer({ qr_code: QR_2 }),
    );
    renderDialog();
    expect(await qrImage()).toHaveAttribute('src', QR_2);
    expect(requests).toHaveLength(2);
  });

  it('shows "no QR yet" with the retry delay the API gave', async () => {
    connectReplies(
      connectAnswer({ outcome: 'no_qr_yet', qr_code: null, count: 0, retry_after_seconds: 3 }),
    );
    renderDialog();
    expect(
      await screen.findByText('O servidor ainda não gerou o QR code. Tentando de novo em 3 s…'),
    ).toBeVisible();
  });

  it('flips to "Conectada!" when the instance opens, then closes itself', async () => {
    connectReplies(connectAnswer());
    const { push, onConnected, onHide } = renderDialog();
    await qrImage();

    push('instance.updated', makeInstance({ id: 8, status: 'open' }));
    expect(screen.queryByText('Conectada!')).not.toBeInTheDocument();

    push('instance.updated', makeInstance({ status: 'open', profile_name: 'Loja' }));
    expect(await screen.findByText('Conectada!')).toBeVisible();
    expect(screen.getByText('Loja Centro está conectada ao WhatsApp.')).toBeVisible();
    expect(screen.queryByRole('img', { name: /QR code/ })).not.toBeInTheDocument();
    expect(onConnected).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(onHide).toHaveBeenCalled());
  });

  it('also flips when the page learns first (the instance prop)', async () => {
    connectReplies(connectAnswer());
    function Page() {
      const [instance, setInstance] = useState(makeInstance());
      return (
        <RealtimeProvider>
          <button type="button" onClick={() => setInstance(makeInstance({ status: 'open' }))}>
            page update
          </button>
          <ConnectDialog instance={instance} show onHide={vi.fn()} closeDelayMs={50} />
        </RealtimeProvider>
      );
    }
    renderWithProviders(<Page />);
    await qrImage();
    // The modal makes the page behind it inert; click it as the page's realtime update would.
    act(() => screen.getByText('page update', { ignore: false }).click());
    expect(await screen.findByText('Conectada!')).toBeVisible();
  });

  it('says so when the instance is already connected', async () => {
    connectReplies(connectAnswer({ outcome: 'already_open', qr_code: null, instance: makeInstance({ status: 'open' }) }));
    renderDialog();
    expect(await screen.findByText('Conectada!')).toBeVisible();
  });

  it('gives a pairing code for a phone number', async () => {
    const { requests, fetchMock } = connectReplies(
      connectAnswer(),
      connectAnswer({ outcome: 'pairing_code', qr_code: null, pairing_code: 'ABCD1234' }),
    );
    const { user } = renderDialog();
    await qrImage();

    await user.click(screen.getByRole('button', { name: 'Código de pareamento' }));
    const phone = screen.getByLabelText('Número do WhatsApp');
    await user.type(phone, '1198765');
    await user.click(screen.getByRole('button', { name: 'Gerar código' }));
    expect(
      await screen.findByText(
        'Número incompleto: informe DDI, DDD e número, ex.: +55 (11) 98765-4321.',
      ),
    ).toBeVisible();
    expect(fetchMock).toHaveBeenCalledTimes(1);

    await user.type(phone, '4321');
    await user.click(screen.getByRole('button', { name: 'Gerar código' }));
    expect(await screen.findByTestId('pairing-code')).toHaveTextContent('ABCD-1234');
    expect(await requests[1].json()).toEqual({
      method: 'pairing_code',
      phone_number: '5511987654321',
    });
  });

  it('explains a failure and tries again on request', async () => {
    let fail = true;
    mockFetch({
      [CONNECT]: () =>
        fail
          ? json(
              { error: 'evolution_unreachable', detail: 'Connection refused by 10.0.0.5:8080' },
              { status: 502 },
            )
          : json(connectAnswer()),
    });
    const { user } = renderDialog();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Não foi possível conectar');
    expect(alert).toHaveTextContent('O servidor Evolution não pôde ser acessado.');
    expect(alert).toHaveTextContent('Detalhe técnico: Connection refused by 10.0.0.5:8080');

    fail = false;
    await user.click(screen.getByRole('button', { name: 'Tentar novamente' }));
    expect(await qrImage()).toHaveAttribute('src', QR_1);
  });
});
