import * as z from 'zod';

/**
 * The job result, read defensively: it is stored JSON that older workers may have written
 * differently, so a field of an unexpected shape becomes "absent" instead of breaking the
 * page. Amounts come as decimal strings, dates as YYYY-MM-DD.
 */
const text = z.string().nullish().catch(null);
const num = z.number().nullish().catch(null);
const amount = z.union([z.string(), z.number()]).nullish().catch(null);

export const SUMMARY_FIELDS = [
  'amount',
  'due_date',
  'beneficiary',
  'cnpj',
  'pix_key',
  'typeable_line',
] as const;
export type SummaryField = (typeof SUMMARY_FIELDS)[number];

export const SOURCES = ['boleto_barcode', 'boleto_line_ocr', 'pix_qr', 'ocr'] as const;

const summarySchema = z.object({
  amount,
  due_date: text,
  beneficiary: text,
  cnpj: text,
  pix_key: text,
  typeable_line: text,
  sources: z.record(z.string(), z.string()).catch({}),
  warnings: z.array(z.string()).catch([]),
});

const resultSchema = z.object({
  image: z
    .object({ format: text, mime_type: text, width: num, height: num, size_bytes: num })
    .nullish()
    .catch(null),
  summary: summarySchema.nullish().catch(null),
  ocr: z
    .object({
      performed: z.boolean().catch(false),
      skipped_reason: text,
      languages: text,
      duration_ms: num,
      text_excerpt: text,
    })
    .nullish()
    .catch(null),
  ocr_skipped: z.boolean().nullish().catch(null),
  pix: z
    .object({
      key: text,
      key_type: text,
      merchant_name: text,
      merchant_city: text,
      amount,
      txid: text,
      point_of_initiation: text,
      url: text,
    })
    .nullish()
    .catch(null),
  boleto: z
    .object({ kind: text, bank_code: text, typeable_line_formatted: text })
    .nullish()
    .catch(null),
  boleto_source: text,
  summary_text: text,
  reply: z
    .object({ sent: z.boolean().catch(false), to: text, error: text })
    .nullish()
    .catch(null),
  timings_ms: z.record(z.string(), z.number()).catch({}),
});

export type JobResult = z.infer<typeof resultSchema>;
export type InvoiceSummary = z.infer<typeof summarySchema>;

export function parseJobResult(raw: unknown): JobResult | null {
  if (raw === null || raw === undefined) return null;
  const parsed = resultSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Whether any summary field was found. */
export function hasExtractedData(summary: InvoiceSummary | null | undefined): boolean {
  return Boolean(summary && SUMMARY_FIELDS.some((field) => summary[field]));
}

/** Only OCR'd words gave the values (no verified code): the reader should check them. */
export function onlyFromOcr(summary: InvoiceSummary | null | undefined): boolean {
  if (!summary) return false;
  const sources = Object.values(summary.sources);
  return sources.length > 0 && sources.every((source) => source === 'ocr');
}
