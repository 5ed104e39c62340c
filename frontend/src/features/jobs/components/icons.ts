// Icons only the jobs pages use: bundled with them, not with every page.
import arrowLeft from 'bootstrap-icons/icons/arrow-left.svg?raw';
import arrowRepeat from 'bootstrap-icons/icons/arrow-repeat.svg?raw';
import boxArrowUpRight from 'bootstrap-icons/icons/box-arrow-up-right.svg?raw';
import braces from 'bootstrap-icons/icons/braces.svg?raw';
import chatDots from 'bootstrap-icons/icons/chat-dots.svg?raw';
import image from 'bootstrap-icons/icons/image.svg?raw';
import infoCircle from 'bootstrap-icons/icons/info-circle.svg?raw';
import xCircle from 'bootstrap-icons/icons/x-circle.svg?raw';

export const icons = {
  arrowLeft,
  arrowRepeat,
  boxArrowUpRight,
  braces,
  chatDots,
  image,
  infoCircle,
  xCircle,
};
