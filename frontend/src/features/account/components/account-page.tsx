import { type ReactNode, useId } from 'react';

import type { Role } from '@/api/generated/types.gen';
import { PageHeader } from '@/components/ui/page-header';

import { useAccountTranslation } from '../i18n';
import { ApiKeys } from './api-keys';
import { ChangePasswordForm } from './change-password-form';
import { Sessions } from './sessions';

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="card h-100" aria-labelledby={id}>
      <div className="card-body">
        <h2 className="h5 card-title mb-3" id={id}>
          {title}
        </h2>
        {children}
      </div>
    </section>
  );
}

export interface AccountPageProps {
  user: { username: string; email: string | null; role: Role };
  /** The role's name in the UI language. */
  roleLabel: string;
  onLoginAgain: () => void;
  /** "Sair de todos os dispositivos" worked: this session ended too. */
  onSignedOutEverywhere: () => void;
}

/** Minha conta: who you are, your password, your API keys, where you are logged in. */
export function AccountPage({
  user,
  roleLabel,
  onLoginAgain,
  onSignedOutEverywhere,
}: AccountPageProps) {
  const { t } = useAccountTranslation();
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div className="row g-4">
        <div className="col-12 col-lg-5">
          <Section title={t('profile.title')}>
            <dl className="row mb-0">
              <dt className="col-5 fw-normal text-body-secondary">{t('profile.username')}</dt>
              <dd className="col-7 text-break">{user.username}</dd>
              <dt className="col-5 fw-normal text-body-secondary">{t('profile.email')}</dt>
              <dd className="col-7 text-break">{user.email ?? t('profile.noEmail')}</dd>
              <dt className="col-5 fw-normal text-body-secondary">{t('profile.role')}</dt>
              <dd className="col-7 mb-0">{roleLabel}</dd>
            </dl>
          </Section>
        </div>
        <div className="col-12 col-lg-7">
          <Section title={t('password.title')}>
            <ChangePasswordForm username={user.username} onLoginAgain={onLoginAgain} />
          </Section>
        </div>
        <div className="col-12">
          <Section title={t('keys.title')}>
            <ApiKeys canLimitToTeams={user.role === 'admin'} />
          </Section>
        </div>
        <div className="col-12">
          <Section title={t('sessions.title')}>
            <Sessions onSignedOutEverywhere={onSignedOutEverywhere} />
          </Section>
        </div>
      </div>
    </>
  );
}
