import { registerTranslations } from '@/lib/i18n';

import { serversPtBR } from './pt-br';

/** The namespace of the servers page's strings, loaded with its chunk. */
export const SERVERS_NS = 'servers';

registerTranslations(SERVERS_NS, serversPtBR, () =>
  import('./en').then((module) => module.serversEn),
);
