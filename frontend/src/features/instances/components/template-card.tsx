import Card from 'react-bootstrap/Card';
import { Link } from 'react-router';

import { paths } from '@/config/paths';
import { formatRelativeTime } from '@/lib/format';

import { useTemplateDrift } from '../api/templates';
import { useInstancesTranslation } from '../locales';
import { DriftBadge } from './drift-badge';
import { FeatureIcon } from './feature-icon';
import { TemplateDiffList } from './template-diff';

/** The template this instance follows, and what differs from it since the last check. */
export function TemplateCard({ instanceId }: { instanceId: number }) {
  const { t, i18n } = useInstancesTranslation();
  const drift = useTemplateDrift(instanceId);
  const item = drift.data?.[0];
  if (!item) return null; // no template applied (or not loaded yet): nothing to show
  return (
    <Card className="mb-4" data-testid="template-card">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="shield-check" />
        <h2 className="h6 mb-0">{t('templates.drift.title')}</h2>
      </Card.Header>
      <Card.Body>
        <p className="mb-2">
          <Link to={paths.templates.getHref()}>{item.template_name}</Link>{' '}
          <DriftBadge drift={item} />
        </p>
        {item.template_changed ? (
          <p className="small text-warning-emphasis mb-2">{t('templates.drift.templateChanged')}</p>
        ) : null}
        {item.error ? (
          <p className="small text-danger mb-2">{t('templates.drift.failed', { error: item.error })}</p>
        ) : item.differences ? (
          <TemplateDiffList diff={item.differences} />
        ) : item.in_sync ? (
          <p className="small mb-2">{t('templates.drift.inSync')}</p>
        ) : null}
        <p className="small text-body-secondary mb-0">
          {item.checked_at
            ? t('templates.drift.checkedAt', {
                time: formatRelativeTime(item.checked_at, i18n.language),
              })
            : t('templates.drift.never')}
        </p>
      </Card.Body>
    </Card>
  );
}
