/**
 * The outcomes table (one row per case, joined on an id column) and how its columns are read:
 * a binary outcome (two classes; which is positive is known for 0/1, true/false, yes/no, else
 * --positive says), a continuous one (numbers with more than two values), and covariates
 * (numbers, or two classes coded 0/1).
 */
import { readFileSync } from 'node:fs';
import { PerifatError } from '../errors';
import { safeText } from '../util/safe-text';
import { type CsvRow, isMissing, numberCell, parseCsv } from './csv';

export interface OutcomeTable {
  file: string;
  by: string;
  header: string[];
  rows: Map<string, CsvRow>;
}

export function loadOutcomes(file: string, by: string): OutcomeTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PerifatError('E_INPUT_NOT_FOUND', `cannot read the outcomes: ${(e as Error).message}`, { file });
  }
  const t = parseCsv(text, file);
  if (!t.header.includes(by)) {
    throw new PerifatError('E_INPUT_FORMAT', `no id column "${safeText(by)}" (--by) in the header`, { file });
  }
  const rows = new Map<string, CsvRow>();
  for (const r of t.rows) {
    const id = r.cells[by] as string;
    if (id === '') throw new PerifatError('E_INPUT_FORMAT', `line ${r.line}: empty ${safeText(by)}`, { file });
    const before = rows.get(id);
    if (before) {
      throw new PerifatError(
        'E_INPUT_FORMAT',
        `line ${r.line}: duplicate case id "${safeText(id)}" in column ${safeText(by)} (also line ${before.line})`,
        { file },
      );
    }
    rows.set(id, r);
  }
  return { file, by, header: t.header, rows };
}

export type OutcomeVar =
  | { column: string; type: 'binary'; positive: string; negative: string; values: Map<string, 0 | 1 | null> }
  | { column: string; type: 'continuous'; values: Map<string, number | null> };

const PAIRS: [string, string][] = [
  ['1', '0'],
  ['true', 'false'],
  ['yes', 'no'],
  ['y', 'n'],
  ['positive', 'negative'],
  ['pos', 'neg'],
];

function columnOf(t: OutcomeTable, column: string, what: string): void {
  if (!t.header.includes(column)) {
    throw new PerifatError('E_INPUT_FORMAT', `no column "${safeText(column)}" (${what}) in the header`, {
      file: t.file,
    });
  }
}

/**
 * Reads an outcome over the joined cases. `positive` names the positive class of a binary outcome
 * whose classes are not self-explaining.
 */
export function readOutcome(t: OutcomeTable, column: string, ids: readonly string[], positive?: string): OutcomeVar {
  columnOf(t, column, '--outcome');
  const raw = new Map(ids.map((id) => [id, (t.rows.get(id)?.cells[column] ?? '').trim()]));
  const present = [...raw.values()].filter((c) => !isMissing(c));
  const numeric = present.every((c) => numberCell(c) !== undefined);
  // Classes are values, not spellings: 1, 1.0 and 1e0 are one class of a numeric outcome.
  const cells = numeric ? new Map([...raw].map(([id, c]) => [id, isMissing(c) ? c : String(numberCell(c))])) : raw;
  const labels = [...new Set([...cells.values()].filter((c) => !isMissing(c)))].sort();
  const col = safeText(column);
  if (labels.length === 0) {
    throw new PerifatError('E_INPUT_VALUE', `outcome ${col}: no value among the ${ids.length} joined cases`, {
      file: t.file,
    });
  }
  if (labels.length === 1) {
    throw new PerifatError(
      'E_INPUT_VALUE',
      `outcome ${col}: a single outcome class ("${safeText(labels[0] as string)}") among the joined cases; a ROC needs two`,
      { file: t.file },
    );
  }
  if (labels.length > 2) {
    if (!numeric) {
      const text = labels.find((l) => numberCell(l) === undefined) as string;
      throw new PerifatError(
        'E_INPUT_VALUE',
        `outcome ${col}: ${labels.length} distinct values, "${safeText(text)}" not a number; a binary outcome has two classes, a continuous one numbers`,
        { file: t.file },
      );
    }
    return { column, type: 'continuous', values: new Map([...cells].map(([id, c]) => [id, numberCell(c) ?? null])) };
  }
  let pos: string;
  if (positive !== undefined) {
    const given = numeric && numberCell(positive) !== undefined ? String(numberCell(positive)) : positive;
    const hit = labels.find((l) => l.toLowerCase() === given.toLowerCase());
    if (hit === undefined) {
      throw new PerifatError(
        'E_USAGE',
        `--positive "${safeText(positive)}" is not a value of outcome ${col} (${labels.map(safeText).join(', ')})`,
      );
    }
    pos = hit;
  } else {
    const low = labels.map((l) => (numeric ? String(Number(l)) : l.toLowerCase()));
    const pair = PAIRS.find(([p, n]) => low.includes(p) && low.includes(n));
    if (!pair) {
      throw new PerifatError(
        'E_USAGE',
        `outcome ${col} has the classes ${labels.map((l) => `"${safeText(l)}"`).join(' and ')}: say which is positive with --positive ${col}=LABEL`,
      );
    }
    pos = labels[low.indexOf(pair[0])] as string;
  }
  const neg = labels.find((l) => l !== pos) as string;
  return {
    column,
    type: 'binary',
    positive: pos,
    negative: neg,
    values: new Map([...cells].map(([id, c]) => [id, isMissing(c) ? null : c === pos ? 1 : 0])),
  };
}

export interface Covariate {
  column: string;
  /** How the column became a number: 'numeric', or the class coded 1 (the other is 0). */
  coding: { type: 'numeric' } | { type: 'binary'; one: string; zero: string };
  values: Map<string, number | null>;
}

export function readCovariate(t: OutcomeTable, column: string, ids: readonly string[]): Covariate {
  columnOf(t, column, '--covariates');
  const cells = new Map(ids.map((id) => [id, (t.rows.get(id)?.cells[column] ?? '').trim()]));
  const present = [...cells.values()].filter((c) => !isMissing(c));
  if (present.every((c) => numberCell(c) !== undefined)) {
    return {
      column,
      coding: { type: 'numeric' },
      values: new Map([...cells].map(([id, c]) => [id, numberCell(c) ?? null])),
    };
  }
  const labels = [...new Set(present)].sort();
  if (labels.length !== 2) {
    throw new PerifatError(
      'E_INPUT_VALUE',
      `covariate ${safeText(column)}: ${labels.length} distinct non-numeric values; give numbers or two classes (code more classes as 0/1 columns)`,
      { file: t.file },
    );
  }
  const [zero, one] = labels as [string, string];
  return {
    column,
    coding: { type: 'binary', one, zero },
    values: new Map([...cells].map(([id, c]) => [id, isMissing(c) ? null : c === one ? 1 : 0])),
  };
}
