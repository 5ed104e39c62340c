import { useState } from 'react';

export interface InstanceAvatarProps {
  name: string;
  pictureUrl: string | null;
  size?: number;
  /** Alternative text; empty (decorative) by default, as the name is written next to it. */
  alt?: string;
}

/** The WhatsApp profile picture, or the first letter of the name when there is none. */
export function InstanceAvatar({ name, pictureUrl, size = 36, alt = '' }: InstanceAvatarProps) {
  const [broken, setBroken] = useState(false);
  const style = { width: size, height: size, fontSize: size * 0.42 };
  if (pictureUrl && !broken) {
    return (
      <img
        src={pictureUrl}
        alt={alt}
        width={size}
        height={size}
        className="instance-avatar rounded-circle flex-shrink-0"
        referrerPolicy="no-referrer"
        onError={() => setBroken(true)}
      />
    );
  }
  return (
    <span
      className="instance-avatar instance-avatar-initial rounded-circle flex-shrink-0"
      style={style}
      role={alt ? 'img' : undefined}
      aria-label={alt || undefined}
      aria-hidden={alt ? undefined : true}
    >
      {(name.trim().charAt(0) || '?').toUpperCase()}
    </span>
  );
}
