import {
  bulkCreateOperation,
  bulkGetOperation,
  bulkRunOperation,
} from '@/api/generated/sdk.gen';
import type {
  BulkAction as ServerBulkAction,
  BulkCreate,
  BulkItemRead,
  BulkOperationRead,
} from '@/api/generated/types.gen';

export type { BulkItemRead, BulkOperationRead, ServerBulkAction };

/** What an operation needs besides its action and instances. */
export type BulkOptions = Pick<BulkCreate, 'template_id' | 'confirmation' | 'keep_history'>;

/** Store a pending operation over `instanceIds` (one item each). */
export async function createBulkOperation(
  action: ServerBulkAction,
  instanceIds: number[],
  options: BulkOptions = {},
): Promise<BulkOperationRead> {
  const { data } = await bulkCreateOperation({
    body: { action, instance_ids: instanceIds, ...options },
    throwOnError: true,
  });
  return data;
}

/** Run its pending and failed items; answers when all are done (progress comes live). */
export async function runBulkOperation(id: number): Promise<BulkOperationRead> {
  const { data } = await bulkRunOperation({ path: { operation_id: id }, throwOnError: true });
  return data;
}

export async function getBulkOperation(id: number): Promise<BulkOperationRead> {
  const { data } = await bulkGetOperation({ path: { operation_id: id }, throwOnError: true });
  return data;
}
