// Bootstrap Icons as inline SVG: only the icons listed here end up in the bundle (the icon
// font would make every page download all 2,000 of them).
import arrowClockwise from 'bootstrap-icons/icons/arrow-clockwise.svg?raw';
import arrowDownLeft from 'bootstrap-icons/icons/arrow-down-left.svg?raw';
import arrowRepeat from 'bootstrap-icons/icons/arrow-repeat.svg?raw';
import arrowUpRight from 'bootstrap-icons/icons/arrow-up-right.svg?raw';
import barChartLine from 'bootstrap-icons/icons/bar-chart-line.svg?raw';
import bell from 'bootstrap-icons/icons/bell.svg?raw';
import bellFill from 'bootstrap-icons/icons/bell-fill.svg?raw';
import boxArrowInRight from 'bootstrap-icons/icons/box-arrow-in-right.svg?raw';
import boxArrowRight from 'bootstrap-icons/icons/box-arrow-right.svg?raw';
import chatDots from 'bootstrap-icons/icons/chat-dots.svg?raw';
import checkCircleFill from 'bootstrap-icons/icons/check-circle-fill.svg?raw';
import circleHalf from 'bootstrap-icons/icons/circle-half.svg?raw';
import clockHistory from 'bootstrap-icons/icons/clock-history.svg?raw';
import coneStriped from 'bootstrap-icons/icons/cone-striped.svg?raw';
import database from 'bootstrap-icons/icons/database.svg?raw';
import download from 'bootstrap-icons/icons/download.svg?raw';
import exclamationOctagon from 'bootstrap-icons/icons/exclamation-octagon.svg?raw';
import exclamationTriangle from 'bootstrap-icons/icons/exclamation-triangle.svg?raw';
import eye from 'bootstrap-icons/icons/eye.svg?raw';
import eyeSlash from 'bootstrap-icons/icons/eye-slash.svg?raw';
import hddNetwork from 'bootstrap-icons/icons/hdd-network.svg?raw';
import inbox from 'bootstrap-icons/icons/inbox.svg?raw';
import key from 'bootstrap-icons/icons/key.svg?raw';
import layers from 'bootstrap-icons/icons/layers.svg?raw';
import list from 'bootstrap-icons/icons/list.svg?raw';
import listTask from 'bootstrap-icons/icons/list-task.svg?raw';
import moonStarsFill from 'bootstrap-icons/icons/moon-stars-fill.svg?raw';
import pencil from 'bootstrap-icons/icons/pencil.svg?raw';
import people from 'bootstrap-icons/icons/people.svg?raw';
import personCircle from 'bootstrap-icons/icons/person-circle.svg?raw';
import plug from 'bootstrap-icons/icons/plug.svg?raw';
import plusLg from 'bootstrap-icons/icons/plus-lg.svg?raw';
import receipt from 'bootstrap-icons/icons/receipt.svg?raw';
import shieldLock from 'bootstrap-icons/icons/shield-lock.svg?raw';
import signpostSplit from 'bootstrap-icons/icons/signpost-split.svg?raw';
import slashCircle from 'bootstrap-icons/icons/slash-circle.svg?raw';
import speedometer2 from 'bootstrap-icons/icons/speedometer2.svg?raw';
import sunFill from 'bootstrap-icons/icons/sun-fill.svg?raw';
import translate from 'bootstrap-icons/icons/translate.svg?raw';
import trash from 'bootstrap-icons/icons/trash.svg?raw';
import whatsapp from 'bootstrap-icons/icons/whatsapp.svg?raw';
import wifi from 'bootstrap-icons/icons/wifi.svg?raw';
import wifiOff from 'bootstrap-icons/icons/wifi-off.svg?raw';
import xCircleFill from 'bootstrap-icons/icons/x-circle-fill.svg?raw';

const ICONS = {
  'arrow-clockwise': arrowClockwise,
  'arrow-down-left': arrowDownLeft,
  'arrow-repeat': arrowRepeat,
  'arrow-up-right': arrowUpRight,
  'bar-chart-line': barChartLine,
  bell,
  'bell-fill': bellFill,
  'box-arrow-in-right': boxArrowInRight,
  'box-arrow-right': boxArrowRight,
  'chat-dots': chatDots,
  'check-circle-fill': checkCircleFill,
  'circle-half': circleHalf,
  'clock-history': clockHistory,
  'cone-striped': coneStriped,
  database,
  download,
  'exclamation-octagon': exclamationOctagon,
  'exclamation-triangle': exclamationTriangle,
  eye,
  'eye-slash': eyeSlash,
  'hdd-network': hddNetwork,
  inbox,
  key,
  list,
  layers,
  'list-task': listTask,
  'moon-stars-fill': moonStarsFill,
  pencil,
  people,
  'person-circle': personCircle,
  plug,
  'plus-lg': plusLg,
  receipt,
  'shield-lock': shieldLock,
  'signpost-split': signpostSplit,
  'slash-circle': slashCircle,
  speedometer2,
  'sun-fill': sunFill,
  translate,
  trash,
  whatsapp,
  wifi,
  'wifi-off': wifiOff,
  'x-circle-fill': xCircleFill,
} as const;

export type IconName = keyof typeof ICONS;

export interface IconProps {
  name: IconName;
  /** CSS size (font-size of the wrapper); the SVG is 1em square. */
  size?: string;
  className?: string;
}

/** Decorative icon: hidden from assistive technology, so give its control a text label. */
export function Icon({ name, size, className }: IconProps) {
  return (
    <span
      aria-hidden="true"
      className={`bi-icon${className ? ` ${className}` : ''}`}
      style={size ? { fontSize: size } : undefined}
      // Static SVG markup from the bootstrap-icons package, bundled at build time.
      dangerouslySetInnerHTML={{ __html: ICONS[name] }}
    />
  );
}
