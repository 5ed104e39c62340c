import { i18n } from '@/lib/i18n';

import { serversEn } from './en';
import { serversPtBR } from './pt-br';

/** The namespace of the servers page's strings, loaded with its chunk. */
export const SERVERS_NS = 'servers';

i18n.addResourceBundle('pt-BR', SERVERS_NS, serversPtBR, true, true);
i18n.addResourceBundle('en', SERVERS_NS, serversEn, true, true);
