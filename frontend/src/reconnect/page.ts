/**
 * The customer's reconnect page: PIN (when the link has one), a choice between a QR code
 * and a pairing code, the live code, and "Conectado!". The link's token is the URL's
 * fragment; a single-use link's claim is kept for this tab (sessionStorage) so a reload
 * goes on where it was. While pairing, the state is polled (one request at a time).
 */
import { type Access, type Failure, type LinkState, type ReconnectApi, RequestFailed } from './api';
import { type Child, h } from './dom';
import { format, type Language, MESSAGES, type Messages, rememberLanguage } from './i18n';

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const PIN_PATTERN = /^[0-9]{4,8}$/;
const PHONE_PATTERN = /^(?:[ +().-]*[0-9]){8,15}[ +().-]*$/;
export const POLL_MS = 2000;
const CLAIM_KEY = 'evodash.reconnect.claim';

type Mode = 'qr' | 'pairing';
type Screen =
  | { kind: 'loading' }
  | { kind: 'pin'; wrong: boolean }
  | { kind: 'choose' }
  | { kind: 'qr'; qr: string | null }
  | { kind: 'phone' }
  | { kind: 'code'; code: string | null }
  | { kind: 'connected' }
  | { kind: 'dead'; reason: 'invalid' | 'expired' | 'revoked' | 'used' }
  | { kind: 'throttled'; seconds: number }
  | { kind: 'failed' };

export interface PageOptions {
  root: HTMLElement;
  api: ReconnectApi;
  token: string;
  language: Language;
  /** Timers (tests pass fake ones through vi.useFakeTimers instead). */
  pollMs?: number;
}

function readClaim(token: string): string | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CLAIM_KEY) ?? 'null') as unknown;
    if (Array.isArray(saved) && saved[0] === token && typeof saved[1] === 'string') return saved[1];
  } catch {
    // Nothing kept (storage disabled or garbage): the page starts over.
  }
  return undefined;
}

function keepClaim(token: string, claim: string) {
  try {
    sessionStorage.setItem(CLAIM_KEY, JSON.stringify([token, claim]));
  } catch {
    // Storage disabled: the claim lives as long as this page.
  }
}

export class ReconnectPage {
  private screen: Screen = { kind: 'loading' };
  private name = '';
  private expiresAt: string | null = null;
  private mode: Mode | null = null;
  private pin: string | undefined;
  private claim: string | undefined;
  private language: Language;
  private t: Messages;
  private notice: string | null = null;
  private fieldError: string | null = null;
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private rendered = '';
  private readonly pollMs: number;

  constructor(private readonly options: PageOptions) {
    this.language = options.language;
    this.t = MESSAGES[this.language];
    this.pollMs = options.pollMs ?? POLL_MS;
    this.claim = readClaim(options.token);
  }

  start() {
    this.render();
    if (!TOKEN_PATTERN.test(this.options.token)) {
      this.show({ kind: 'dead', reason: 'invalid' });
      return Promise.resolve();
    }
    return this.refresh();
  }

  stop() {
    clearTimeout(this.timer);
  }

  private get access(): Access {
    return { token: this.options.token, pin: this.pin, claim: this.claim };
  }

  /** One request at a time: a poll never races the customer's own action. */
  private run(task: () => Promise<LinkState>): Promise<void> {
    const next = this.queue.then(async () => {
      clearTimeout(this.timer);
      try {
        this.apply(await task());
      } catch (error) {
        this.fail(error);
      }
    });
    this.queue = next;
    return next;
  }

  private refresh() {
    return this.run(() => this.options.api.state(this.access));
  }

  private begin(mode: Mode, phone?: string) {
    this.mode = mode;
    this.busy = true;
    this.fieldError = null;
    this.render();
    return this.run(async () => {
      try {
        return await this.options.api.connect(this.access, phone);
      } finally {
        this.busy = false;
      }
    });
  }

  private apply(state: LinkState) {
    this.name = state.display_name;
    this.expiresAt = state.expires_at ?? null;
    this.notice = null;
    if (state.claim) {
      this.claim = state.claim;
      keepClaim(this.options.token, state.claim);
    }
    if (state.pin_required) {
      this.show({ kind: 'pin', wrong: false });
      return;
    }
    if (state.connected) {
      this.show({ kind: 'connected' });
      return;
    }
    if (!state.started) {
      this.show({ kind: 'choose' });
      return;
    }
    this.mode ??= state.pairing_code ? 'pairing' : 'qr';
    // Typing a number: the form stays (a poll only watches for the connection).
    if (this.screen.kind === 'phone') {
      this.schedule(this.pollMs);
      return;
    }
    if (this.mode === 'qr') this.show({ kind: 'qr', qr: state.qr_code ?? null });
    else if (state.pairing_code || this.screen.kind === 'code') {
      this.show({ kind: 'code', code: state.pairing_code ?? null });
    } else this.show({ kind: 'phone' });
    this.schedule(this.pollMs);
  }

  private fail(error: unknown) {
    const failure: Failure =
      error instanceof RequestFailed ? error.failure : { kind: 'failed' };
    switch (failure.kind) {
      case 'invalid':
      case 'expired':
      case 'revoked':
      case 'used':
        this.show({ kind: 'dead', reason: failure.kind });
        return;
      case 'wrong-pin':
        this.pin = undefined;
        this.show({ kind: 'pin', wrong: true });
        return;
      case 'throttled':
        this.show({ kind: 'throttled', seconds: failure.retryAfter });
        this.schedule(failure.retryAfter * 1000);
        return;
      case 'offline':
        // Keep what is shown; say so, and try again.
        this.notice = this.t.offline;
        if (this.screen.kind === 'loading') this.show({ kind: 'failed' });
        else this.render();
        this.schedule(this.pollMs * 2);
        return;
      case 'bad-input':
        this.fieldError = this.t.phoneInvalid;
        this.show(this.mode === 'pairing' ? { kind: 'phone' } : { kind: 'failed' });
        return;
      case 'failed':
        this.show({ kind: 'failed' });
        return;
    }
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  private show(screen: Screen) {
    const moved = screen.kind !== this.screen.kind;
    this.screen = screen;
    this.render();
    // A new step: move focus to its heading so keyboards and screen readers follow.
    if (moved) this.options.root.querySelector<HTMLElement>('h2')?.focus();
  }

  private setLanguage(language: Language) {
    this.language = language;
    this.t = MESSAGES[language];
    rememberLanguage(language);
    if (this.notice) this.notice = this.t.offline;
    if (this.fieldError) this.fieldError = this.t.phoneInvalid;
    this.render();
  }

  // --- rendering ------------------------------------------------------------------------

  /** Rebuilds the page when what it shows changed (a poll that brings nothing new leaves
   * the DOM, and a half-typed field, alone). */
  render() {
    const key = JSON.stringify([this.screen, this.name, this.language, this.notice, this.fieldError, this.busy]);
    if (key === this.rendered) return;
    this.rendered = key;
    const { t } = this;
    document.documentElement.lang = this.language;
    document.title = this.name ? `${t.documentTitle} · ${this.name}` : t.documentTitle;
    const other: Language = this.language === 'en' ? 'pt-BR' : 'en';
    this.options.root.replaceChildren(
      h(
        'header',
        { class: 'rc-top' },
        h('span', { class: 'rc-brand' }, 'evodash'),
        h(
          'button',
          {
            type: 'button',
            class: 'rc-link',
            lang: other,
            'aria-label': t.switchLanguageLabel,
            onclick: () => this.setLanguage(other),
          },
          t.switchLanguage,
        ),
      ),
      h(
        'main',
        { class: 'rc-card' },
        h('p', { class: 'rc-eyebrow' }, t.eyebrow),
        h('h1', { class: 'rc-name' }, this.name || t.loading),
        this.notice ? h('p', { class: 'rc-notice', role: 'status' }, this.notice) : null,
        h('section', { class: 'rc-step' }, ...this.body()),
        this.expiresAt && this.screen.kind !== 'connected' && this.screen.kind !== 'dead'
          ? h('p', { class: 'rc-foot' }, format(t, 'expires', { date: this.formatDate(this.expiresAt) }))
          : null,
      ),
    );
  }

  private formatDate(iso: string) {
    return new Intl.DateTimeFormat(this.language, { dateStyle: 'short', timeStyle: 'short' }).format(
      new Date(iso),
    );
  }

  private heading(text: string, extra = '') {
    return h('h2', { class: `rc-title ${extra}`.trim(), tabindex: -1 }, text);
  }

  private body(): Child[] {
    const { t, screen } = this;
    switch (screen.kind) {
      case 'loading':
        return [h('p', { class: 'rc-wait', role: 'status' }, h('span', { class: 'rc-spinner', 'aria-hidden': 'true' }), t.loading)];
      case 'pin':
        return this.pinForm(screen.wrong);
      case 'choose':
        return [
          this.heading(t.chooseTitle),
          h(
            'div',
            { class: 'rc-choices' },
            this.choice(t.chooseQr, t.chooseQrHelp, 'choose-qr', () => void this.begin('qr')),
            this.choice(t.choosePairing, t.choosePairingHelp, 'choose-pairing', () => {
              this.mode = 'pairing';
              this.show({ kind: 'phone' });
            }),
          ),
        ];
      case 'qr':
        return [
          this.heading(t.qrTitle),
          screen.qr
            ? h('img', { class: 'rc-qr', src: screen.qr, alt: t.qrAlt, width: 264, height: 264 })
            : h('p', { class: 'rc-wait', role: 'status' }, h('span', { class: 'rc-spinner', 'aria-hidden': 'true' }), t.qrWaiting),
          h('ol', { class: 'rc-steps' }, ...t.qrSteps.map((step) => h('li', {}, step))),
          h('p', { class: 'rc-hint' }, t.qrLive),
          h(
            'div',
            { class: 'rc-actions' },
            this.button(t.again, () => void this.begin('qr'), 'secondary'),
            this.button(t.toPairing, () => {
              this.mode = 'pairing';
              this.show({ kind: 'phone' });
            }, 'link'),
          ),
        ];
      case 'phone':
        return this.phoneForm();
      case 'code':
        return [
          this.heading(t.pairingTitle),
          screen.code
            ? h(
                'p',
                { class: 'rc-code-box' },
                h('span', { class: 'rc-code-label' }, t.pairingCodeLabel),
                h('output', { class: 'rc-code', 'aria-label': `${t.pairingCodeLabel}: ${screen.code.split('').join(' ')}` }, screen.code),
              )
            : h('p', { class: 'rc-wait', role: 'status' }, h('span', { class: 'rc-spinner', 'aria-hidden': 'true' }), t.pairingWaiting),
          h('ol', { class: 'rc-steps' }, ...t.pairingSteps.map((step) => h('li', {}, step))),
          h(
            'div',
            { class: 'rc-actions' },
            this.button(t.otherNumber, () => this.show({ kind: 'phone' }), 'secondary'),
            this.button(t.toQr, () => void this.begin('qr'), 'link'),
          ),
        ];
      case 'connected':
        return [
          h('div', { class: 'rc-done-icon', 'aria-hidden': 'true' }, '✓'),
          this.heading(t.connectedTitle, 'rc-done'),
          h('p', {}, format(t, 'connectedBody', { name: this.name })),
        ];
      case 'dead':
        return [
          this.heading(t[`${screen.reason}Title`]),
          h('p', {}, t[`${screen.reason}Body`]),
        ];
      case 'throttled':
        return [
          this.heading(t.throttledTitle),
          h('p', {}, format(t, 'throttledBody', { seconds: screen.seconds })),
        ];
      case 'failed':
        return [
          this.heading(t.failedTitle),
          h('p', {}, t.failed),
          this.button(t.retry, () => void (this.mode ? this.begin(this.mode) : this.refresh())),
        ];
    }
  }

  private button(label: string, onclick: () => void, variant: 'primary' | 'secondary' | 'link' = 'primary') {
    return h('button', { type: 'button', class: `rc-btn rc-btn-${variant}`, disabled: this.busy, onclick }, label);
  }

  private choice(label: string, help: string, id: string, onclick: () => void) {
    return h(
      'button',
      { type: 'button', class: 'rc-choice', 'aria-describedby': `${id}-help`, disabled: this.busy, onclick },
      h('span', { class: 'rc-choice-label' }, label),
      h('span', { class: 'rc-choice-help', id: `${id}-help` }, help),
    );
  }

  private field(id: string, label: string, error: string | null, input: HTMLInputElement, help?: string) {
    const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    if (described) input.setAttribute('aria-describedby', described);
    if (error) input.setAttribute('aria-invalid', 'true');
    return h(
      'div',
      { class: 'rc-field' },
      h('label', { for: id }, label),
      input,
      help ? h('span', { class: 'rc-help', id: `${id}-help` }, help) : null,
      error ? h('span', { class: 'rc-error', id: `${id}-error` }, error) : null,
    );
  }

  private pinForm(wrong: boolean): Child[] {
    const { t } = this;
    const input = h('input', {
      id: 'rc-pin',
      name: 'pin',
      type: 'password',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      maxlength: 8,
      required: true,
      class: 'rc-input',
    });
    const error = this.fieldError ?? (wrong ? t.pinWrong : null);
    const submit = (event: Event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!PIN_PATTERN.test(value)) {
        this.fieldError = t.pinInvalid;
        this.render();
        this.options.root.querySelector<HTMLElement>('#rc-pin')?.focus();
        return;
      }
      this.fieldError = null;
      this.pin = value;
      this.show({ kind: 'loading' });
      void this.refresh();
    };
    return [
      this.heading(t.pinTitle),
      h('p', {}, t.pinHelp),
      h(
        'form',
        { class: 'rc-form', novalidate: true, onsubmit: submit },
        this.field('rc-pin', t.pinLabel, error, input),
        h('button', { type: 'submit', class: 'rc-btn rc-btn-primary' }, t.pinSubmit),
      ),
    ];
  }

  private phoneForm(): Child[] {
    const { t } = this;
    const input = h('input', {
      id: 'rc-phone',
      name: 'phone',
      type: 'tel',
      inputmode: 'tel',
      autocomplete: 'tel',
      maxlength: 32,
      required: true,
      class: 'rc-input',
    });
    const submit = (event: Event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!PHONE_PATTERN.test(value)) {
        this.fieldError = t.phoneInvalid;
        this.render();
        this.options.root.querySelector<HTMLElement>('#rc-phone')?.focus();
        return;
      }
      this.show({ kind: 'code', code: null });
      void this.begin('pairing', value);
    };
    return [
      this.heading(t.pairingTitle),
      h(
        'form',
        { class: 'rc-form', novalidate: true, onsubmit: submit },
        this.field('rc-phone', t.phoneLabel, this.fieldError, input, t.phoneHelp),
        h('button', { type: 'submit', class: 'rc-btn rc-btn-primary', disabled: this.busy }, t.pairingSubmit),
      ),
      this.button(t.toQr, () => void this.begin('qr'), 'link'),
    ];
  }
}
