/** The ledger's filters, kept in the URL query string. */
export type InvoiceStatus = 'open' | 'paid' | 'ignored';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['open', 'paid', 'ignored'];

export interface InvoiceFilters {
  dueFrom: string;
  dueTo: string;
  instanceId: number | null;
  sender: string;
  amountMin: string;
  amountMax: string;
  status: InvoiceStatus | '';
}

export const NO_INVOICE_FILTERS: InvoiceFilters = {
  dueFrom: '',
  dueTo: '',
  instanceId: null,
  sender: '',
  amountMin: '',
  amountMax: '',
  status: '',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The API's bound on amounts. */
export const MAX_AMOUNT = 999_999_999_999.99;

/** "1.234,56", "1234.56" or "1234,5" → 1234.56; null when it is not an amount. */
export function parseAmount(value: string): number | null {
  let text = value.trim().replace(/^R\$\s*/i, '');
  if (!text) return null;
  if (text.includes(',')) text = text.replace(/\./g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return null;
  const amount = Number(text);
  return amount <= MAX_AMOUNT ? amount : null;
}

export function readInvoiceFilters(params: URLSearchParams): InvoiceFilters {
  const date = (key: string) => {
    const value = params.get(key) ?? '';
    return DATE.test(value) ? value : '';
  };
  const instance = Number(params.get('instance'));
  const status = params.get('status') ?? '';
  return {
    dueFrom: date('due_from'),
    dueTo: date('due_to'),
    instanceId: Number.isInteger(instance) && instance > 0 && instance < 2 ** 31 ? instance : null,
    sender: (params.get('sender') ?? '').slice(0, 64),
    amountMin: parseAmount(params.get('min') ?? '') === null ? '' : (params.get('min') ?? ''),
    amountMax: parseAmount(params.get('max') ?? '') === null ? '' : (params.get('max') ?? ''),
    status: (INVOICE_STATUSES as readonly string[]).includes(status) ? (status as InvoiceStatus) : '',
  };
}

export function writeInvoiceFilters(filters: InvoiceFilters, page = 1): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.dueFrom) params.set('due_from', filters.dueFrom);
  if (filters.dueTo) params.set('due_to', filters.dueTo);
  if (filters.instanceId !== null) params.set('instance', String(filters.instanceId));
  if (filters.sender.trim()) params.set('sender', filters.sender.trim());
  if (filters.amountMin) params.set('min', filters.amountMin);
  if (filters.amountMax) params.set('max', filters.amountMax);
  if (filters.status) params.set('status', filters.status);
  if (page > 1) params.set('page', String(page));
  return params;
}

export function readInvoicePage(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isInteger(page) && page > 1 && page <= 100_000 ? page : 1;
}

export interface InvoiceQuery {
  due_from?: string;
  due_to?: string;
  instance_id?: number;
  sender?: string;
  amount_min?: number;
  amount_max?: number;
  status?: InvoiceStatus;
}

/** The API's query parameters for the filters. */
export function toInvoiceQuery(filters: InvoiceFilters): InvoiceQuery {
  const query: InvoiceQuery = {};
  if (filters.dueFrom) query.due_from = filters.dueFrom;
  if (filters.dueTo) query.due_to = filters.dueTo;
  if (filters.instanceId !== null) query.instance_id = filters.instanceId;
  if (filters.sender.trim()) query.sender = filters.sender.trim();
  const min = parseAmount(filters.amountMin);
  const max = parseAmount(filters.amountMax);
  if (min !== null) query.amount_min = min;
  if (max !== null) query.amount_max = max;
  if (filters.status) query.status = filters.status;
  return query;
}
