import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';

import type { InstanceOption } from '../api/instance-names';
import { useWebhooksTranslation } from '../i18n';

export interface Feedback {
  variant: 'success' | 'danger' | 'warning';
  text: string;
}

/** The outcome of the last action, announced politely. */
export function FeedbackAlert({ feedback, onClose }: { feedback: Feedback | null; onClose: () => void }) {
  return (
    <div aria-live="polite">
      {feedback ? (
        <Alert variant={feedback.variant} dismissible onClose={onClose}>
          {feedback.text}
        </Alert>
      ) : null}
    </div>
  );
}

/** "Load more" under a cursor-paginated list. */
export function LoadMore({
  hasMore,
  loading,
  onMore,
}: {
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}) {
  const { t } = useWebhooksTranslation();
  if (!hasMore) return null;
  return (
    <Button variant="link" className="mt-2 px-0" disabled={loading} onClick={onMore}>
      {t('more')}
    </Button>
  );
}

/** The instance filter (every instance, deleted ones too). */
export function InstanceSelect({
  id,
  value,
  onChange,
  instances,
  className,
}: {
  id: string;
  value: number | null;
  onChange: (value: number | null) => void;
  instances: InstanceOption[];
  className: string;
}) {
  const { t } = useWebhooksTranslation();
  return (
    <Form.Group className={className} controlId={id}>
      <Form.Label className="small mb-1">{t('filters.instance')}</Form.Label>
      <Form.Select
        value={value ?? ''}
        onChange={(change) => onChange(change.target.value ? Number(change.target.value) : null)}
      >
        <option value="">{t('filters.allInstances')}</option>
        {instances.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </Form.Select>
    </Form.Group>
  );
}
