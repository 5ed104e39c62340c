import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';

import { ErrorState } from '@/components/ui/error-state';

// After a deploy, an open tab may ask for a chunk that no longer exists.
function isChunkLoadError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(
      error.message,
    )
  );
}

/** Last-resort boundary for errors thrown while rendering a route. */
export function RouteError() {
  const error = useRouteError();
  const { t } = useTranslation();
  return (
    <main className="container py-5">
      <ErrorState error={isChunkLoadError(error) ? new Error(t('errors.chunkLoad')) : error} />
      <Button variant="primary" onClick={() => window.location.reload()}>
        {t('common.reload')}
      </Button>
    </main>
  );
}
