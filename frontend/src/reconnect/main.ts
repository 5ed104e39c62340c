/** Entry of the customer reconnect page (reconnect.html): no login, no dashboard code. */
import './reconnect.css';

import { createReconnectApi } from './api';
import { initialLanguage } from './i18n';
import { ReconnectPage } from './page';

const root = document.getElementById('app');
if (root) {
  const page = new ReconnectPage({
    root,
    api: createReconnectApi(),
    token: decodeURIComponent(window.location.hash.replace(/^#/, '')),
    language: initialLanguage(window.location.search),
  });
  void page.start();
}
