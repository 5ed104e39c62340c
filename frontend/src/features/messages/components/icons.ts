// Icons only the messages pages use: bundled with them, not with every page.
import arrowDownLeft from 'bootstrap-icons/icons/arrow-down-left.svg?raw';
import arrowUp from 'bootstrap-icons/icons/arrow-up.svg?raw';
import arrowUpRight from 'bootstrap-icons/icons/arrow-up-right.svg?raw';
import boxArrowUpRight from 'bootstrap-icons/icons/box-arrow-up-right.svg?raw';
import braces from 'bootstrap-icons/icons/braces.svg?raw';
import cameraVideo from 'bootstrap-icons/icons/camera-video.svg?raw';
import chatLeftText from 'bootstrap-icons/icons/chat-left-text.svg?raw';
import emojiSmile from 'bootstrap-icons/icons/emoji-smile.svg?raw';
import fileEarmark from 'bootstrap-icons/icons/file-earmark.svg?raw';
import funnel from 'bootstrap-icons/icons/funnel.svg?raw';
import geoAlt from 'bootstrap-icons/icons/geo-alt.svg?raw';
import image from 'bootstrap-icons/icons/image.svg?raw';
import infoCircle from 'bootstrap-icons/icons/info-circle.svg?raw';
import mic from 'bootstrap-icons/icons/mic.svg?raw';
import people from 'bootstrap-icons/icons/people.svg?raw';
import personVcard from 'bootstrap-icons/icons/person-vcard.svg?raw';
import questionCircle from 'bootstrap-icons/icons/question-circle.svg?raw';
import search from 'bootstrap-icons/icons/search.svg?raw';
import slashCircle from 'bootstrap-icons/icons/slash-circle.svg?raw';
import sticky from 'bootstrap-icons/icons/sticky.svg?raw';
import threeDots from 'bootstrap-icons/icons/three-dots.svg?raw';

import type { MessageType } from '../lib/filters';

export const TYPE_ICONS: Record<MessageType, string> = {
  text: chatLeftText,
  image,
  video: cameraVideo,
  audio: mic,
  document: fileEarmark,
  sticker: sticky,
  location: geoAlt,
  contact: personVcard,
  reaction: emojiSmile,
  other: threeDots,
  unknown: questionCircle,
};

export const icons = {
  arrowDownLeft,
  arrowUp,
  arrowUpRight,
  boxArrowUpRight,
  braces,
  funnel,
  infoCircle,
  people,
  search,
  slashCircle,
};
