import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';

import type { AllowListRead } from '@/api/generated/types.gen';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { formatPhone } from '@/lib/format-br';

import { useAllowedNumbers, useSetAllowedNumbers } from '../api/allowed-numbers';
import { digitsOf, maskPhone } from '../lib/phone';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

export interface AllowListEditorProps {
  instanceId: number;
  canOperate: boolean;
}

/**
 * The numbers allowed to trigger processing on this instance. An empty list (with an
 * empty global list) lets everyone through, and the editor says so.
 */
export function AllowListEditor({ instanceId, canOperate }: AllowListEditorProps) {
  const { t } = useInstancesTranslation();
  const allowList = useAllowedNumbers(instanceId);

  let body;
  if (allowList.isPending) body = <LoadingState />;
  else if (allowList.isError) {
    body = <InstanceError error={allowList.error} onRetry={() => void allowList.refetch()} />;
  } else {
    body = (
      <AllowListFields
        data={allowList.data}
        canOperate={canOperate}
      />
    );
  }

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="shield-check" />
        <h2 className="h6 mb-0">{t('allowList.title')}</h2>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('allowList.description')}</p>
        {body}
      </Card.Body>
    </Card>
  );
}

function AllowListFields({ data, canOperate }: { data: AllowListRead; canOperate: boolean }) {
  const { t } = useInstancesTranslation();
  const save = useSetAllowedNumbers(data.instance_id);
  const [numbers, setNumbers] = useState<string[]>(data.numbers);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const dirty = numbers.join(',') !== data.numbers.join(',');
  const everyone = numbers.length === 0 && data.global_numbers.length === 0;

  const add = () => {
    const digits = digitsOf(draft);
    if (digits.length < 10 || digits.length > 15) {
      setProblem('allowList.invalid');
      return;
    }
    if (numbers.includes(digits)) {
      setProblem('allowList.duplicate');
      return;
    }
    setNumbers([...numbers, digits]);
    setDraft('');
    setProblem(null);
    setSaved(false);
  };

  return (
    <>
      <div aria-live="polite">
        {everyone ? (
          <Alert variant="info" className="py-2 small" data-testid="allow-everyone">
            <Icon name="people" className="me-2" />
            {t('allowList.everyone')}
          </Alert>
        ) : numbers.length === 0 ? (
          <Alert variant="secondary" className="py-2 small">
            {t('allowList.globalOnly')}
          </Alert>
        ) : null}
      </div>

      {numbers.length > 0 ? (
        <ul className="list-group mb-3" aria-label={t('allowList.count', { count: numbers.length })}>
          {numbers.map((number) => (
            <li key={number} className="list-group-item d-flex align-items-center justify-content-between gap-2">
              <span className="font-monospace">{formatPhone(number)}</span>
              {canOperate ? (
                <Button
                  size="sm"
                  variant="outline-danger"
                  aria-label={t('allowList.remove', { number: formatPhone(number) })}
                  title={t('allowList.remove', { number: formatPhone(number) })}
                  onClick={() => {
                    setNumbers(numbers.filter((n) => n !== number));
                    setSaved(false);
                  }}
                >
                  <Icon name="trash" />
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}

      {data.global_numbers.length > 0 ? (
        <div className="mb-3 small">
          <div className="text-body-secondary">{t('allowList.global')}</div>
          <div>{data.global_numbers.map((n) => formatPhone(n)).join(', ')}</div>
        </div>
      ) : null}

      {canOperate ? (
        <>
          <Form
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              add();
            }}
          >
            <Form.Label htmlFor="allow-list-add" className="small">
              {t('allowList.addLabel')}
            </Form.Label>
            {/* Stacked on phones: beside the button the field shows only "+55 (11) 9". */}
            <div className="d-flex flex-column flex-sm-row gap-2">
              <Form.Control
                id="allow-list-add"
                type="tel"
                inputMode="tel"
                value={draft}
                placeholder={t('allowList.addPlaceholder')}
                onChange={(event) => {
                  setDraft(maskPhone(event.target.value));
                  setProblem(null);
                }}
                isInvalid={problem !== null}
                aria-invalid={problem !== null}
                aria-describedby={problem ? 'allow-list-add-error' : undefined}
              />
              <Button
                type="submit"
                variant="outline-primary"
                className="text-nowrap align-self-start align-self-sm-auto"
              >
                <Icon name="plus-lg" className="me-1" />
                {t('allowList.add')}
              </Button>
            </div>
            {problem ? (
              <div id="allow-list-add-error" className="invalid-feedback d-block">
                {t(problem)}
              </div>
            ) : null}
          </Form>
          {save.isError ? <InstanceError error={save.error} className="mt-3" /> : null}
          <div className="d-flex flex-wrap align-items-center gap-2 mt-3">
            <Button
              disabled={!dirty || save.isPending}
              onClick={() =>
                save.mutate(numbers, {
                  onSuccess: (result) => {
                    // Stored normalized (E.164): show them as the API keeps them.
                    setNumbers(result.numbers);
                    setSaved(true);
                  },
                })
              }
            >
              {save.isPending ? (
                <>
                  <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
                  {t('allowList.saving')}
                </>
              ) : (
                t('allowList.save')
              )}
            </Button>
            <span className="small text-body-secondary" aria-live="polite">
              {dirty ? t('allowList.unsaved') : saved ? t('allowList.saved') : null}
            </span>
          </div>
        </>
      ) : null}
    </>
  );
}
