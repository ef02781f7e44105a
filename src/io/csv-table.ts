/**
 * A CSV table with a header row, as perifat reads one (a batch manifest, analyze's outcomes and
 * results): RFC 4180 — quoted cells may hold commas, quotes and line breaks; a UTF-8 BOM and CRLF
 * are accepted; blank lines are skipped. Every problem is a typed error naming the file and the
 * line, and a row with another number of cells than the header is refused, not padded.
 */
import { PerifatError } from '../errors';
import { safeText } from '../util/safe-text';

export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  cells: Record<string, string>;
}

export interface CsvTable {
  file: string;
  header: string[];
  rows: CsvRow[];
}

function records(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cur = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cur += c;
      }
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      cells.push(cur);
      cur = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cur);
      if (any || cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
      cells = [];
      cur = '';
      any = false;
      line++;
      start = line;
    } else {
      cur += c;
      if (c.trim() !== '') any = true;
    }
  }
  if (quoted) throw new RangeError(`line ${start}: a quoted cell is not closed`);
  cells.push(cur);
  if (any || cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
  return out;
}

export function parseCsv(text: string, file: string): CsvTable {
  let recs: { line: number; cells: string[] }[];
  try {
    recs = records(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new PerifatError('E_INPUT_FORMAT', (e as Error).message, { file });
  }
  const head = recs.shift();
  if (!head) throw new PerifatError('E_INPUT_FORMAT', 'the CSV is empty (no header row)', { file });
  const header = head.cells.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '')
      throw new PerifatError('E_INPUT_FORMAT', `line ${head.line}: the header has an empty column name`, { file });
    if (seen.has(h)) {
      throw new PerifatError(
        'E_INPUT_FORMAT',
        `line ${head.line}: column "${safeText(h)}" appears twice in the header`,
        {
          file,
        },
      );
    }
    seen.add(h);
  }
  const rows = recs.map((r) => {
    if (r.cells.length !== header.length) {
      throw new PerifatError(
        'E_INPUT_FORMAT',
        `line ${r.line}: ${r.cells.length} cells, the header has ${header.length} columns`,
        { file },
      );
    }
    return { line: r.line, cells: Object.fromEntries(header.map((h, k) => [h, (r.cells[k] as string).trim()])) };
  });
  return { file, header, rows };
}
