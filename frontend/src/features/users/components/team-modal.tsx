import { zodResolver } from '@hookform/resolvers/zod';
import { useId } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

import { ConfirmModal } from '@/components/ui/confirm-modal';
import type { TeamRead } from '@/api/generated/types.gen';
import { MultiSelect } from '@/components/ui/multi-select';
import { getErrorMessage, isApiError } from '@/lib/api-error';
import { instancePicker, serverPicker, userPicker } from '@/lib/pickers';

import {
  TEAM_LIMITS,
  type TeamInput,
  teamInputSchema,
  teamToInput,
  useDeleteTeam,
  useSaveTeam,
} from '../api/teams';
import { useUsersTranslation } from '../i18n';

export interface TeamModalProps {
  /** The team to change, or null to create one. */
  team: TeamRead | null;
  onClose: () => void;
  onSaved: (team: TeamRead) => void;
}

/** Creates or changes a team: its name, description, members, servers and instances. */
export function TeamModal({ team, onClose, onSaved }: TeamModalProps) {
  const { t } = useUsersTranslation();
  const common = useTranslation().t;
  const titleId = useId();
  const save = useSaveTeam();
  const { register, handleSubmit, setError, control, formState } = useForm<TeamInput>({
    resolver: zodResolver(teamInputSchema),
    defaultValues: teamToInput(team),
  });
  const { errors } = formState;
  const message = (key: string | undefined) => (key ? t(key, { defaultValue: key }) : undefined);

  const submit = handleSubmit((input) => {
    save.mutate(
      { id: team?.id ?? null, input },
      {
        onSuccess: onSaved,
        onError: (error) => {
          if (isApiError(error) && error.code === 'team_name_taken') {
            setError('name', { message: 'teams.validation.nameTaken' });
          }
        },
      },
    );
  });

  let failure: string | null = null;
  if (save.isError && !(isApiError(save.error) && save.error.code === 'team_name_taken')) {
    failure =
      isApiError(save.error) && save.error.code === 'team_member_not_found'
        ? t('teams.errors.memberGone')
        : getErrorMessage(save.error, common);
  }

  return (
    <Modal
      show
      onHide={onClose}
      aria-labelledby={titleId}
      centered
      size="lg"
      fullscreen="sm-down"
      scrollable
    >
      <Form noValidate onSubmit={(event) => void submit(event)} className="modal-form">
        <Modal.Header closeButton closeLabel={common('common.close')}>
          <Modal.Title id={titleId} as="h2" className="h5">
            {team ? t('teams.editTitle', { name: team.name }) : t('teams.createTitle')}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {failure ? <Alert variant="danger">{failure}</Alert> : null}
          <Form.Group className="mb-3" controlId={`${titleId}-name`}>
            <Form.Label>{t('teams.name')}</Form.Label>
            <Form.Control
              autoComplete="off"
              autoFocus
              maxLength={100}
              isInvalid={Boolean(errors.name)}
              {...register('name')}
            />
            <Form.Control.Feedback type="invalid">
              {message(errors.name?.message)}
            </Form.Control.Feedback>
          </Form.Group>
          <Form.Group className="mb-3" controlId={`${titleId}-description`}>
            <Form.Label>{t('teams.descriptionLabel')}</Form.Label>
            <Form.Control
              as="textarea"
              rows={2}
              maxLength={500}
              isInvalid={Boolean(errors.description)}
              {...register('description')}
            />
            <Form.Control.Feedback type="invalid">
              {message(errors.description?.message)}
            </Form.Control.Feedback>
          </Form.Group>
          <div className="d-grid gap-3">
            <Controller
              control={control}
              name="userIds"
              render={({ field }) => (
                <MultiSelect
                  label={t('teams.members')}
                  help={t('teams.membersHelp')}
                  source={userPicker}
                  value={field.value}
                  onChange={field.onChange}
                  max={TEAM_LIMITS.users}
                />
              )}
            />
            <Controller
              control={control}
              name="serverIds"
              render={({ field }) => (
                <MultiSelect
                  label={t('teams.servers')}
                  help={t('teams.serversHelp')}
                  source={serverPicker}
                  value={field.value}
                  onChange={field.onChange}
                  max={TEAM_LIMITS.servers}
                />
              )}
            />
            <Controller
              control={control}
              name="instanceIds"
              render={({ field }) => (
                <MultiSelect
                  label={t('teams.instances')}
                  help={t('teams.instancesHelp')}
                  source={instancePicker}
                  value={field.value}
                  onChange={field.onChange}
                  max={TEAM_LIMITS.instances}
                />
              )}
            />
          </div>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={onClose}>
            {common('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending ? t('teams.saving') : team ? t('teams.save') : t('teams.create')}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}

/** "Excluir o time …?": its members may then see more, which the text says. */
export function DeleteTeamModal({
  team,
  onClose,
  onDeleted,
}: {
  team: TeamRead;
  onClose: () => void;
  onDeleted: (team: TeamRead) => void;
}) {
  const { t } = useUsersTranslation();
  const remove = useDeleteTeam();
  return (
    <ConfirmModal
      title={t('teams.deleteTitle', { name: team.name })}
      confirmLabel={t('teams.delete')}
      pending={remove.isPending}
      error={remove.error}
      onClose={onClose}
      onConfirm={() => remove.mutate(team.id, { onSuccess: () => onDeleted(team) })}
    >
      <p className="mb-0">{t('teams.deleteBody')}</p>
    </ConfirmModal>
  );
}
