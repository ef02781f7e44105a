/**
 * Cells of the CSV tables perifat analyze reads (src/io/csv-table.ts parses them): what counts as
 * missing, and what as a number.
 */
export { type CsvRow, type CsvTable, parseCsv } from '../io/csv-table';

/** Cells that mean "no value" (R, pandas, SPSS and Excel exports); not "none", which can be a class. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', '.', '?', '#n/a']);

export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

/** A number, null for a missing cell, undefined for text that is neither. */
export function numberCell(cell: string): number | null | undefined {
  if (isMissing(cell)) return null;
  const s = cell.trim();
  // Number('') and Number('0x1f') are numbers; a cell must look like a decimal number.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  // 1e999 looks like a number but is none: non-finite values are refused like text.
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
