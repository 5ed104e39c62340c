import { i18n } from '@/lib/i18n';

import { dashboardEn } from './en';
import { dashboardPtBR } from './pt-br';

/** The namespace of the dashboard's strings, loaded with the dashboard's chunk. */
export const DASHBOARD_NS = 'dashboard';

i18n.addResourceBundle('pt-BR', DASHBOARD_NS, dashboardPtBR, true, true);
i18n.addResourceBundle('en', DASHBOARD_NS, dashboardEn, true, true);
