/**
 * The reconnect page's words. A small dictionary instead of the dashboard's i18next bundle:
 * this page is its own tiny entry (under 60 KB of JavaScript). Portuguese by default;
 * English with `?lang=en`, the page's switch, or the dashboard's remembered choice.
 */

export const LANGUAGES = ['pt-BR', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The dashboard's key (src/lib/i18n.ts), read here without loading i18next. */
const STORAGE_KEY = 'evodash.language';

const ptBR = {
  documentTitle: 'Reconectar WhatsApp',
  eyebrow: 'Reconectar WhatsApp',
  loading: 'Carregando…',
  switchLanguage: 'English',
  switchLanguageLabel: 'Ver esta página em inglês',
  expires: 'Este link vale até {date}.',
  pinTitle: 'Digite o PIN',
  pinHelp: 'Quem enviou este link também passou um PIN de 4 a 8 dígitos.',
  pinLabel: 'PIN',
  pinSubmit: 'Continuar',
  pinInvalid: 'O PIN tem de 4 a 8 dígitos.',
  pinWrong: 'PIN incorreto. Confira e tente de novo.',
  chooseTitle: 'Como você quer conectar?',
  chooseQr: 'Mostrar QR code',
  chooseQrHelp: 'Para escanear com o celular do WhatsApp (abra este link em outra tela, como um computador).',
  choosePairing: 'Usar código de pareamento',
  choosePairingHelp: 'Para digitar um código no WhatsApp, se este link está aberto no próprio celular.',
  qrTitle: 'Escaneie o QR code',
  qrAlt: 'QR code para conectar o WhatsApp',
  qrSteps: [
    'Abra o WhatsApp no celular.',
    'Toque em Mais opções ⋮ (ou Configurações) e em Aparelhos conectados.',
    'Toque em Conectar um aparelho e aponte a câmera para este código.',
  ],
  qrWaiting: 'Gerando o QR code…',
  qrLive: 'O código se renova sozinho e esta página acompanha a conexão.',
  again: 'Gerar novo código',
  toPairing: 'Prefiro um código de pareamento',
  toQr: 'Prefiro escanear um QR code',
  pairingTitle: 'Código de pareamento',
  phoneLabel: 'Número do WhatsApp, com DDI e DDD',
  phoneHelp: 'Exemplo: +55 11 98765-4321',
  phoneInvalid: 'Digite o número com DDI e DDD (de 8 a 15 dígitos).',
  pairingSubmit: 'Gerar código',
  pairingCodeLabel: 'Seu código',
  pairingSteps: [
    'No WhatsApp, abra Aparelhos conectados e toque em Conectar um aparelho.',
    'Toque em Conectar com número de telefone.',
    'Digite este código.',
  ],
  pairingWaiting: 'Gerando o código…',
  otherNumber: 'Usar outro número',
  connectedTitle: 'Conectado!',
  connectedBody: 'O WhatsApp de {name} está conectado. Você já pode fechar esta página.',
  invalidTitle: 'Link inválido',
  invalidBody: 'Este link não funciona. Confira se ele foi copiado inteiro ou peça um novo a quem o enviou.',
  expiredTitle: 'Link expirado',
  expiredBody: 'Este link expirou. Peça um novo a quem o enviou.',
  revokedTitle: 'Link cancelado',
  revokedBody: 'Este link foi cancelado. Peça um novo a quem o enviou.',
  usedTitle: 'Link já usado',
  usedBody: 'Este link já foi usado e não funciona mais. Se precisar conectar de novo, peça um novo link.',
  throttledTitle: 'Muitas tentativas',
  throttledBody: 'Aguarde {seconds} s: a página tenta de novo sozinha.',
  offline: 'Sem conexão com o servidor. Tentando de novo…',
  failedTitle: 'Algo deu errado',
  failed: 'Não foi possível falar com o WhatsApp agora. Tente de novo em instantes.',
  retry: 'Tentar de novo',
};

export type Messages = typeof ptBR;

const en: Messages = {
  documentTitle: 'Reconnect WhatsApp',
  eyebrow: 'Reconnect WhatsApp',
  loading: 'Loading…',
  switchLanguage: 'Português',
  switchLanguageLabel: 'Ver esta página em português',
  expires: 'This link works until {date}.',
  pinTitle: 'Enter the PIN',
  pinHelp: 'Whoever sent you this link also gave you a PIN of 4 to 8 digits.',
  pinLabel: 'PIN',
  pinSubmit: 'Continue',
  pinInvalid: 'The PIN has 4 to 8 digits.',
  pinWrong: 'Wrong PIN. Check it and try again.',
  chooseTitle: 'How do you want to connect?',
  chooseQr: 'Show a QR code',
  chooseQrHelp: 'To scan with the WhatsApp phone (open this link on another screen, such as a computer).',
  choosePairing: 'Use a pairing code',
  choosePairingHelp: 'To type a code into WhatsApp, if this link is open on that phone itself.',
  qrTitle: 'Scan the QR code',
  qrAlt: 'QR code to connect WhatsApp',
  qrSteps: [
    'Open WhatsApp on the phone.',
    'Tap More options ⋮ (or Settings), then Linked devices.',
    'Tap Link a device and point the camera at this code.',
  ],
  qrWaiting: 'Getting the QR code…',
  qrLive: 'The code renews itself and this page follows the connection.',
  again: 'Get a new code',
  toPairing: 'I prefer a pairing code',
  toQr: 'I prefer to scan a QR code',
  pairingTitle: 'Pairing code',
  phoneLabel: 'WhatsApp number, with country and area code',
  phoneHelp: 'Example: +55 11 98765-4321',
  phoneInvalid: 'Type the number with country and area code (8 to 15 digits).',
  pairingSubmit: 'Get the code',
  pairingCodeLabel: 'Your code',
  pairingSteps: [
    'In WhatsApp, open Linked devices and tap Link a device.',
    'Tap Link with phone number instead.',
    'Type this code.',
  ],
  pairingWaiting: 'Getting the code…',
  otherNumber: 'Use another number',
  connectedTitle: 'Connected!',
  connectedBody: 'The WhatsApp of {name} is connected. You can close this page now.',
  invalidTitle: 'Invalid link',
  invalidBody: 'This link does not work. Check that it was copied whole, or ask whoever sent it for a new one.',
  expiredTitle: 'Link expired',
  expiredBody: 'This link has expired. Ask whoever sent it for a new one.',
  revokedTitle: 'Link cancelled',
  revokedBody: 'This link was cancelled. Ask whoever sent it for a new one.',
  usedTitle: 'Link already used',
  usedBody: 'This link was already used and no longer works. If you need to connect again, ask for a new link.',
  throttledTitle: 'Too many attempts',
  throttledBody: 'Wait {seconds} s: the page will try again by itself.',
  offline: 'No connection to the server. Trying again…',
  failedTitle: 'Something went wrong',
  failed: 'WhatsApp could not be reached right now. Try again in a moment.',
  retry: 'Try again',
};

export const MESSAGES: Record<Language, Messages> = { 'pt-BR': ptBR, en };

type Key = { [K in keyof Messages]: Messages[K] extends string ? K : never }[keyof Messages];

/** `{name}`-style placeholders filled from `values`. */
export function format(messages: Messages, key: Key, values: Record<string, string | number> = {}) {
  return messages[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** `?lang=en` (or `pt-BR`), else what the person chose before, else Portuguese. */
export function initialLanguage(search: string): Language {
  const asked = new URLSearchParams(search).get('lang');
  if (asked?.toLowerCase().startsWith('en')) return 'en';
  if (asked?.toLowerCase().startsWith('pt')) return 'pt-BR';
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : 'pt-BR';
  } catch {
    return 'pt-BR';
  }
}

export function rememberLanguage(language: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}
