/**
 * The measured cohort: a folder of perifat-report/1 JSON files (a batch's `reports/`, or the batch
 * folder itself) or the CSV that `--csv` or a batch writes. A report's case id is its
 * `input.caseId` (batch writes it), else its file name without `.json`; a CSV's is its `case_id`
 * column, else the outcomes' id column. Duplicate ids are refused with both sources named.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PerifatError } from '../errors';
import { csvCellText } from '../io/report-csv';
import { REPORT_SCHEMA, type Report } from '../measure/report-types';
import { safeText } from '../util/safe-text';
import { parseCsv } from './csv';

export interface ResultCase {
  id: string;
  /** The report file, or the CSV with its line. */
  source: string;
  report: Report | null;
  row: Record<string, string> | null;
}

export interface ResultSet {
  kind: 'reports' | 'csv';
  /** The file or folder read. */
  path: string;
  cases: ResultCase[];
  /** JSON files in the folder that are not perifat reports (batch.json, failures), by name. */
  skipped: string[];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new PerifatError('E_INPUT_NOT_FOUND', `cannot read: ${(e as Error).message}`, { file });
  }
}

function addUnique(cases: ResultCase[], seen: Map<string, string>, c: ResultCase): void {
  const before = seen.get(c.id);
  if (before !== undefined) {
    throw new PerifatError('E_INPUT_FORMAT', `case id "${safeText(c.id)}" appears twice (also in ${before})`, {
      file: c.source,
    });
  }
  seen.set(c.id, c.source);
  cases.push(c);
}

function loadReports(dir: string): ResultSet {
  // A batch folder holds its reports in reports/.
  const folder =
    existsSync(join(dir, 'reports')) && statSync(join(dir, 'reports')).isDirectory() ? join(dir, 'reports') : dir;
  const names = readdirSync(folder)
    .filter((n) => n.endsWith('.json'))
    .sort();
  const cases: ResultCase[] = [];
  const seen = new Map<string, string>();
  const skipped: string[] = [];
  for (const name of names) {
    const file = join(folder, name);
    if (!statSync(file).isFile()) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(readText(file));
    } catch (e) {
      if (e instanceof PerifatError) throw e;
      throw new PerifatError('E_INPUT_FORMAT', `not JSON: ${(e as Error).message}`, { file });
    }
    const schema = (doc as { schema?: unknown } | null)?.schema;
    if (schema !== REPORT_SCHEMA) {
      skipped.push(name);
      continue;
    }
    const r = doc as Report;
    if (typeof r.input !== 'object' || r.input === null || !Array.isArray(r.vessels) || !Array.isArray(r.lesions)) {
      throw new PerifatError('E_INPUT_FORMAT', `a ${REPORT_SCHEMA} without input, vessels or lesions`, { file });
    }
    const id = typeof r.input.caseId === 'string' && r.input.caseId !== '' ? r.input.caseId : basename(name, '.json');
    addUnique(cases, seen, { id, source: file, report: r, row: null });
  }
  if (cases.length === 0) {
    throw new PerifatError('E_INPUT_FORMAT', `no ${REPORT_SCHEMA} JSON file in the folder`, { file: folder });
  }
  return { kind: 'reports', path: folder, cases, skipped };
}

function loadCsv(file: string, by: string): ResultSet {
  const table = parseCsv(readText(file), file);
  const idCol = table.header.includes('case_id') ? 'case_id' : table.header.includes(by) ? by : null;
  if (idCol === null) {
    throw new PerifatError('E_INPUT_FORMAT', `no case id column: neither "case_id" nor "${safeText(by)}"`, { file });
  }
  const cases: ResultCase[] = [];
  const seen = new Map<string, string>();
  for (const r of table.rows) {
    // perifat's CSV guards cells a spreadsheet would run ('-001): read back, they are the ids again.
    const row = Object.fromEntries(Object.entries(r.cells).map(([k, v]) => [k, csvCellText(v)]));
    const id = row[idCol] as string;
    if (id === '') throw new PerifatError('E_INPUT_FORMAT', `line ${r.line}: empty ${idCol}`, { file });
    addUnique(cases, seen, { id, source: `${file}:${r.line}`, report: null, row });
  }
  if (cases.length === 0) throw new PerifatError('E_INPUT_FORMAT', 'the CSV has no rows', { file });
  return { kind: 'csv', path: file, cases, skipped: [] };
}

export function loadResults(path: string, by: string): ResultSet {
  if (!existsSync(path)) throw new PerifatError('E_INPUT_NOT_FOUND', 'no such file or folder', { file: path });
  return statSync(path).isDirectory() ? loadReports(path) : loadCsv(path, by);
}
