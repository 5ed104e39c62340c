import { registerTranslations } from '@/lib/i18n';

import { dashboardPtBR } from './pt-br';

/** The namespace of the dashboard's strings, loaded with the dashboard's chunk. */
export const DASHBOARD_NS = 'dashboard';

registerTranslations(DASHBOARD_NS, dashboardPtBR, () =>
  import('./en').then((module) => module.dashboardEn),
);
