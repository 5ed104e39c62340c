import type { JobDetail, JobRead } from '@/api/generated/types.gen';

export function createJob(overrides: Partial<JobRead> = {}): JobRead {
  return {
    id: 7,
    kind: 'invoice',
    status: 'succeeded',
    message_id: 9,
    instance_id: 2,
    attempts: 1,
    max_attempts: 5,
    run_after: '2026-05-27T17:03:01Z',
    progress: 100,
    progress_message: 'done',
    error: null,
    summary: 'Valor: R$ 123,45',
    media_sha256: 'abc123',
    media_mimetype: 'image/png',
    image_url: '/api/jobs/7/image',
    thumbnail_url: '/api/jobs/7/thumbnail',
    started_at: '2026-05-27T17:03:02Z',
    finished_at: '2026-05-27T17:03:05Z',
    created_at: '2026-05-27T17:03:01Z',
    updated_at: '2026-05-27T17:03:05Z',
    ...overrides,
  };
}

export const invoiceResult = {
  image: { format: 'PNG', mime_type: 'image/png', width: 800, height: 600, size_bytes: 40960 },
  codes: [],
  pix: null,
  boleto: { kind: 'bank', bank_code: '001', typeable_line_formatted: '' },
  boleto_source: 'barcode',
  ocr: { performed: false, skipped_reason: 'tesseract is not installed', duration_ms: 0 },
  summary: {
    amount: '123.45',
    due_date: '2026-12-20',
    beneficiary: 'Loja Exemplo LTDA',
    cnpj: '12345678000195',
    pix_key: 'pagamentos@exemplo.com.br',
    typeable_line: '00190.00009 01234.567891 23456.789012 3 12340000012345',
    sources: {
      amount: 'boleto_barcode',
      due_date: 'boleto_barcode',
      typeable_line: 'boleto_barcode',
      beneficiary: 'pix_qr',
      pix_key: 'pix_qr',
      cnpj: 'ocr',
    },
    warnings: ['amount from ocr (R$ 120,00) differs from boleto_barcode (R$ 123,45)'],
  },
  timings_ms: { media: 3, check: 10 },
  summary_text: 'Li a sua imagem:\n• Valor: R$ 123,45',
  ocr_skipped: true,
  reply: null,
};

export function createJobDetail(overrides: Partial<JobDetail> = {}): JobDetail {
  return {
    ...createJob(),
    result: invoiceResult,
    lease_owner: null,
    lease_expires_at: null,
    ...overrides,
  };
}
