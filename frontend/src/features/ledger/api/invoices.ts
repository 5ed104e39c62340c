import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';

import { invoicesListInvoices, invoicesSetInvoiceStatus } from '@/api/generated/sdk.gen';
import { env } from '@/config/env';

import { type InvoiceFilters, type InvoiceStatus, toInvoiceQuery } from '../lib/filters';

export const INVOICES_PAGE_SIZE = 25;

export const invoicesKeys = {
  all: ['invoices'] as const,
  list: (filters: InvoiceFilters, page: number) => ['invoices', 'list', filters, page] as const,
};

export const getInvoicesQueryOptions = (filters: InvoiceFilters, page: number) =>
  queryOptions({
    queryKey: invoicesKeys.list(filters, page),
    queryFn: async ({ signal }) => {
      const { data } = await invoicesListInvoices({
        query: { page, page_size: INVOICES_PAGE_SIZE, ...toInvoiceQuery(filters) },
        signal,
        throwOnError: true,
      });
      return data;
    },
  });

export const useInvoices = (filters: InvoiceFilters, page: number) =>
  useQuery({ ...getInvoicesQueryOptions(filters, page), placeholderData: keepPreviousData });

export function useSetInvoiceStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, status }: { id: number; status: InvoiceStatus }) => {
      const { data } = await invoicesSetInvoiceStatus({
        path: { invoice_id: id },
        body: { status },
        throwOnError: true,
      });
      return data;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: invoicesKeys.all }),
  });
}

/** Every matching invoice as CSV (a plain link: the session cookie goes with it). */
export function invoicesCsvHref(filters: InvoiceFilters, sep: ',' | ';'): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(toInvoiceQuery(filters))) query.set(key, String(value));
  query.set('format', 'csv');
  query.set('sep', sep);
  return `${env.API_BASE_URL}/api/invoices?${query.toString()}`;
}
