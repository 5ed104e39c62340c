import { SvgIcon } from '@/components/ui/svg-icon';

import { messageType } from '../lib/display';
import { TYPE_ICONS } from './icons';

/** The type's icon in a round badge (decorative: the type is written next to it). */
export function MessageTypeIcon({ type, blocked = false }: { type: string; blocked?: boolean }) {
  return (
    <span
      className={`message-type-icon ${blocked ? 'message-type-icon-blocked' : ''}`}
      data-type={messageType(type)}
    >
      <SvgIcon svg={TYPE_ICONS[messageType(type)]} />
    </span>
  );
}
