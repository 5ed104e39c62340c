import Alert from 'react-bootstrap/Alert';

import { useInstancesTranslation } from '../locales';

/** What the last action on an instance gave, for the person who started it. */
export interface ActionFeedback {
  variant: 'success' | 'danger';
  text: string;
}

/** The outcome of an action as a dismissible alert (inside a polite live region). */
export function ActionFeedbackAlert({
  feedback,
  onClose,
}: {
  feedback: ActionFeedback | null;
  onClose: () => void;
}) {
  const { t } = useInstancesTranslation();
  if (!feedback) return null;
  return (
    <Alert
      variant={feedback.variant}
      dismissible
      onClose={onClose}
      closeLabel={t('bulk.close')}
      className="py-2"
    >
      {feedback.text}
    </Alert>
  );
}
