import { useQueryClient } from '@tanstack/react-query';
import Alert from 'react-bootstrap/Alert';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { LanguageMenu } from '@/components/layouts/language-menu';
import { ThemeMenu } from '@/components/layouts/theme-menu';
import { Icon } from '@/components/ui/icon';
import { loginReason, safeNextPath } from '@/config/paths';
import { meQueryKey } from '@/features/auth/api/get-me';
import { LoginForm } from '@/features/auth/components/login-form';

export default function LoginRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const reason = loginReason(searchParams.get('reason'));
  const queryClient = useQueryClient();

  // Already logged in (the session check ran before): nothing to do here.
  if (queryClient.getQueryData(meQueryKey())) return <Navigate to={next} replace />;

  return (
    <div className="login-page">
      <title>{`${t('auth.title')} · evodash`}</title>
      <div className="login-controls">
        <LanguageMenu variant="link" />
        <ThemeMenu variant="link" />
      </div>
      <main className="login-main">
        <div className="card login-card shadow-lg border-0">
          <div className="login-card-header text-white text-center">
            <span className="login-logo mx-auto mb-2" aria-hidden="true">
              <Icon name="whatsapp" size="1.75rem" />
            </span>
            <p className="h4 mb-0 fw-bold">{t('app.name')}</p>
            <p className="mb-0 small opacity-75">{t('app.fullName')}</p>
          </div>
          <div className="card-body p-4">
            <h1 className="h5 mb-1">{t('auth.title')}</h1>
            <p className="text-body-secondary small mb-4">{t('auth.subtitle')}</p>
            {reason ? (
              <Alert variant="info" className="small" role="status">
                {t(reason === 'session-ended' ? 'auth.sessionEnded' : 'auth.signedOutEverywhere')}
              </Alert>
            ) : null}
            <LoginForm onSuccess={() => void navigate(next, { replace: true })} />
          </div>
        </div>
      </main>
    </div>
  );
}
