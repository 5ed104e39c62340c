import 'bootstrap/dist/css/bootstrap.min.css';
import './styles/app.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './app';
import { createAppQueryClient } from './app/provider';
import { createRouter, routerReady } from './app/router';
import { warmUp } from './app/warm-up';
import { configureApiClient } from './lib/api-client';
import { initI18n } from './lib/i18n';
import { applyTheme } from './lib/theme';

applyTheme();
// Portuguese is bundled: ready at once. English is fetched first (in parallel with the rest).
const translations = initI18n();
configureApiClient();

const queryClient = createAppQueryClient();
warmUp(queryClient);
// Created before the first render: its loaders start the page's code and data now.
const router = createRouter(queryClient);

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

// The first render shows the page itself (see routerReady), in the person's language.
void Promise.all([translations, routerReady(router)]).then(() => {
  createRoot(container).render(
    <StrictMode>
      <App queryClient={queryClient} router={router} />
    </StrictMode>,
  );
});
