import * as z from 'zod';

import type { InstanceCreate } from '@/api/generated/types.gen';

import { digitsOf, isCompletePhone } from './phone';
import { TECHNICAL_NAME_MAX } from './technical-name';
import { isHttpUrl } from './url';

// Messages are i18n keys of the "instances" namespace, translated where they are shown.
const V = 'form.validation.';

/** Why a technical name is not acceptable (an i18n key), or null when it is. */
export function technicalNameProblem(value: string): string | null {
  if (value === '') return `${V}nameRequired`;
  if (!/^[A-Za-z0-9]/.test(value)) return `${V}nameStart`;
  if (/[^A-Za-z0-9_-]/.test(value)) return `${V}nameChars`;
  if (value.length < 3) return `${V}nameTooShort`;
  if (value.length > TECHNICAL_NAME_MAX) return `${V}nameTooLong`;
  return null;
}

const displayName = z
  .string()
  .trim()
  .min(1, `${V}displayNameRequired`)
  .max(100, `${V}displayNameTooLong`);

const phone = z
  .string()
  .refine((value) => value.trim() === '' || isCompletePhone(value), `${V}phoneInvalid`);

export const instanceCreateSchema = z
  .object({
    displayName,
    name: z.string().superRefine((value, ctx) => {
      const problem = technicalNameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    mode: z.enum(['server', 'url']),
    serverId: z.string(),
    evolutionUrl: z.string().trim(),
    apiKey: z.string().trim(),
    phone,
    /** Optional events subscribed besides the required ones. */
    webhookEvents: z.array(z.string()),
  })
  .superRefine((values, ctx) => {
    if (values.mode === 'server') {
      if (!values.serverId) {
        ctx.addIssue({ code: 'custom', path: ['serverId'], message: `${V}serverRequired` });
      }
      return;
    }
    if (!values.evolutionUrl) {
      ctx.addIssue({ code: 'custom', path: ['evolutionUrl'], message: `${V}urlRequired` });
    } else if (!isHttpUrl(values.evolutionUrl)) {
      ctx.addIssue({ code: 'custom', path: ['evolutionUrl'], message: `${V}urlInvalid` });
    }
    if (!values.apiKey) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: `${V}apiKeyRequired` });
    }
  });

export type InstanceCreateValues = z.input<typeof instanceCreateSchema>;

/** Days this instance's messages are kept: empty for the server's RETENTION_MESSAGES_DAYS. */
const retentionDays = z
  .string()
  .trim()
  .refine((value) => value === '' || /^\d{1,5}$/.test(value), `${V}retentionInvalid`)
  .refine((value) => value === '' || (Number(value) >= 1 && Number(value) <= 36500), `${V}retentionInvalid`);

export const instanceEditSchema = z.object({ displayName, phone, retentionDays });

export type InstanceEditValues = z.input<typeof instanceEditSchema>;

/** The form's field → the API's field, to show server-side field errors in place. */
export const API_FIELDS: Partial<Record<string, keyof InstanceCreateValues>> = {
  display_name: 'displayName',
  name: 'name',
  server_id: 'serverId',
  evolution_url: 'evolutionUrl',
  api_key: 'apiKey',
  phone_number: 'phone',
  webhook_events: 'webhookEvents',
};

/** Values → the API body: digits for the phone, nulls for what was left empty. */
export function toInstanceCreate(values: InstanceCreateValues): InstanceCreate {
  const phone = digitsOf(values.phone);
  const common = {
    display_name: values.displayName.trim(),
    name: values.name,
    phone_number: phone || null,
    webhook_events: values.webhookEvents as InstanceCreate['webhook_events'],
  };
  if (values.mode === 'server') return { ...common, server_id: Number(values.serverId) };
  // The generated type says `api_key?: null`: openapi-ts drops a write-only string inside
  // `anyOf` (the backend's optional SecretStr). The API takes the key as a string.
  return {
    ...common,
    evolution_url: values.evolutionUrl.trim(),
    api_key: values.apiKey.trim(),
  } as unknown as InstanceCreate;
}
