import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  backupsBackupStatus,
  backupsExportBackup,
  backupsImportBackup,
  privacyEraseSubject,
  privacyExportSubject,
} from '@/api/generated/sdk.gen';
import type { Backup } from '@/api/generated/types.gen';
import { attachmentName, saveBlob } from '@/lib/download';

export const backupsKeys = {
  status: ['backups', 'status'] as const,
};

export const getBackupStatusQueryOptions = () =>
  queryOptions({
    queryKey: backupsKeys.status,
    queryFn: async ({ signal }) => {
      const { data } = await backupsBackupStatus({ signal, throwOnError: true });
      return data;
    },
  });

export const useBackupStatus = () => useQuery(getBackupStatusQueryOptions());

/** Downloads a backup sealed with `passphrase`; resolves with the file's name. */
export function useExportBackup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (passphrase: string) => {
      const { data, response } = await backupsExportBackup({
        body: { passphrase },
        parseAs: 'blob',
        throwOnError: true,
      });
      const name = attachmentName(response.headers.get('Content-Disposition'), 'evodash-backup.json');
      saveBlob(data as unknown as Blob, name);
      return name;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: backupsKeys.status }),
  });
}

export interface ImportInput {
  backup: Backup;
  passphrase: string;
  dryRun: boolean;
}

export function useImportBackup() {
  return useMutation({
    mutationFn: async ({ backup, passphrase, dryRun }: ImportInput) => {
      const { data } = await backupsImportBackup({
        body: { backup, passphrase, dry_run: dryRun },
        throwOnError: true,
      });
      return data;
    },
  });
}

/** Everything held about a phone number, as a ZIP download; resolves with its name. */
export function useExportSubject() {
  return useMutation({
    mutationFn: async (phone: string) => {
      const { data, response } = await privacyExportSubject({
        body: { phone },
        parseAs: 'blob',
        throwOnError: true,
      });
      const name = attachmentName(response.headers.get('Content-Disposition'), 'evodash-subject.zip');
      saveBlob(data as Blob, name);
      return name;
    },
  });
}

export function useEraseSubject() {
  return useMutation({
    mutationFn: async (phone: string) => {
      const { data } = await privacyEraseSubject({ body: { phone, confirm: true }, throwOnError: true });
      return data;
    },
  });
}

/** The most a backup file may weigh (the API's limit). */
export const BACKUP_MAX_BYTES = 64 * 1024 * 1024;
