import { readFileSync } from 'node:fs';

import { expect, type Download } from '@playwright/test';

/**
 * A downloaded CSV read back as a spreadsheet would: UTF-8 with a byte-order mark, `sep`
 * between cells, `"` quoting. Returns the rows as objects keyed by the header.
 */
export async function readCsv(download: Download, sep: ',' | ';'): Promise<Record<string, string>[]> {
  const path = await download.path();
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 3)], 'UTF-8 byte-order mark').toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf-8');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === sep) {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell || row.length) rows.push([...row, cell]);
  const [header = [], ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, n) => [name, cells[n] ?? ''])));
}

/** "1.234,56" (pt-BR, `;` files) or "1234.56" as a number, as Excel in Portuguese reads it. */
export function brazilianNumber(text: string): number {
  return Number(text.replace(/\./g, '').replace(',', '.'));
}
