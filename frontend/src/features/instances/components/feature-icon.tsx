import arrowLeft from 'bootstrap-icons/icons/arrow-left.svg?raw';
import checkCircle from 'bootstrap-icons/icons/check-circle.svg?raw';
import cloudArrowDown from 'bootstrap-icons/icons/cloud-arrow-down.svg?raw';
import gear from 'bootstrap-icons/icons/gear.svg?raw';
import link45deg from 'bootstrap-icons/icons/link-45deg.svg?raw';
import personBadge from 'bootstrap-icons/icons/person-badge.svg?raw';
import power from 'bootstrap-icons/icons/power.svg?raw';
import qrCode from 'bootstrap-icons/icons/qr-code.svg?raw';
import search from 'bootstrap-icons/icons/search.svg?raw';
import send from 'bootstrap-icons/icons/send.svg?raw';
import shieldCheck from 'bootstrap-icons/icons/shield-check.svg?raw';
import telephone from 'bootstrap-icons/icons/telephone.svg?raw';
import threeDotsVertical from 'bootstrap-icons/icons/three-dots-vertical.svg?raw';

import { SvgIcon } from '@/components/ui/svg-icon';

// Icons only the instances pages use: they travel in this lazily loaded chunk.
const ICONS = {
  'arrow-left': arrowLeft,
  'check-circle': checkCircle,
  'cloud-arrow-down': cloudArrowDown,
  gear,
  'link-45deg': link45deg,
  'person-badge': personBadge,
  power,
  'qr-code': qrCode,
  search,
  send,
  'shield-check': shieldCheck,
  telephone,
  'three-dots-vertical': threeDotsVertical,
} as const;

export type FeatureIconName = keyof typeof ICONS;

/** A decorative icon of the instances pages (label its control with text). */
export function FeatureIcon({
  name,
  size,
  className,
}: {
  name: FeatureIconName;
  size?: string;
  className?: string;
}) {
  return <SvgIcon svg={ICONS[name]} size={size} className={className} />;
}
