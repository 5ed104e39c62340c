import type { MessageRead } from '@/api/generated/types.gen';
import { formatPhone, phoneDigits } from '@/lib/format-br';

import { MESSAGE_TYPES, type MessageType } from './filters';

export function messageType(value: string): MessageType {
  return (MESSAGE_TYPES as readonly string[]).includes(value) ? (value as MessageType) : 'unknown';
}

/** A JID as a phone number when it is one ("…@s.whatsapp.net"), else as it is. */
export function formatJid(jid: string | null | undefined): string {
  if (!jid) return '';
  return jid.endsWith('@s.whatsapp.net') ? formatPhone(phoneDigits(jid)) : jid;
}

/**
 * The other side of the conversation: for a received message the sender (push name and
 * number), for a sent one the recipient.
 */
export function counterpart(message: MessageRead): { name: string | null; number: string } {
  if (message.direction === 'in') {
    const number = message.sender_phone
      ? formatPhone(message.sender_phone)
      : formatJid(message.participant ?? message.remote_jid);
    return { name: message.sender_name, number };
  }
  return { name: null, number: formatJid(message.remote_jid) };
}
