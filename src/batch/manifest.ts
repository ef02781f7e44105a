/**
 * A batch manifest: CSV (header row; columns caseId, ct, and optionally pericardium, vessels,
 * coronaryMask, aorta, totalseg, lesions, kvp) or JSON lines (one object per case, same keys). A row may name a perifat-case/1
 * file in a `case` column instead of `ct`. Paths are relative to the manifest. The CSV is read by
 * src/io/csv-table.ts (RFC 4180; every row has the header's columns).
 * Every problem is a typed error naming the manifest and the line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PerifatError } from '../errors';
import { parseCsv } from '../io/csv-table';

export interface BatchCase {
  readonly caseId: string;
  /** The CT, or (instead) a perifat-case/1 file that names it and how the other inputs are built. */
  readonly ct?: string;
  readonly caseFile?: string;
  readonly pericardium?: string;
  readonly vessels?: string;
  /** A coronary mask to derive the centerlines from (with an optional aorta mask). */
  readonly coronaryMask?: string;
  readonly aorta?: string;
  /** A TotalSegmentator output folder (pericardium or heart, coronary_arteries, aorta). */
  readonly totalseg?: string;
  /** VESSEL:START-END items or a JSON file, as `perifat measure --lesions`. */
  readonly lesions?: string;
  readonly kvp?: number;
}

/** A case id names its report file: no separators, no leading dot. */
export const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function bad(file: string, line: number, message: string): never {
  throw new PerifatError('E_INPUT_FORMAT', `line ${line}: ${message}`, { file });
}

export function readManifest(path: string): BatchCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PerifatError('E_INPUT_NOT_FOUND', `cannot read the manifest: ${(e as Error).message}`, { file: path });
  }
  const base = dirname(path);
  const rows: { line: number; fields: Record<string, unknown> }[] = [];
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) bad(path, 1, 'the manifest is empty');
  if ((lines[first] as string).trim().startsWith('{')) {
    lines.forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        rows.push({ line: i + 1, fields: JSON.parse(l) as Record<string, unknown> });
      } catch (e) {
        bad(path, i + 1, `not a JSON object (${(e as Error).message})`);
      }
    });
  } else {
    const table = parseCsv(text, path);
    if (!table.header.includes('caseId')) bad(path, first + 1, 'the header has no "caseId" column');
    if (!table.header.includes('ct') && !table.header.includes('case'))
      bad(path, first + 1, 'the header has neither a "ct" nor a "case" column');
    for (const r of table.rows) rows.push({ line: r.line, fields: r.cells });
  }
  const seen = new Set<string>();
  return rows.map(({ line, fields }) => {
    const id = fields['caseId'];
    if (typeof id !== 'string' || !CASE_ID.test(id)) {
      bad(
        path,
        line,
        `caseId must be 1–128 letters, digits, '.', '_' or '-' (it names the report file), got ${JSON.stringify(id)}`,
      );
    }
    if (seen.has(id)) bad(path, line, `caseId ${id} appears twice`);
    seen.add(id);
    const str = (k: string): string | undefined => {
      const v = fields[k];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') bad(path, line, `${k} must be a string`);
      return v;
    };
    const ct = str('ct');
    const caseFile = str('case');
    if (!ct === !caseFile) bad(path, line, 'give ct or case (one of them)');
    const kvpRaw = fields['kvp'];
    let kvp: number | undefined;
    if (kvpRaw !== undefined && kvpRaw !== null && kvpRaw !== '') {
      kvp = Number(kvpRaw);
      if (!(kvp >= 70 && kvp <= 150)) bad(path, line, `kvp must be 70–150, got ${String(kvpRaw)}`);
    }
    const rel = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
    const lesions = str('lesions');
    return {
      caseId: id,
      ...(ct ? { ct: rel(ct) } : {}),
      ...(caseFile ? { caseFile: rel(caseFile) } : {}),
      ...(str('pericardium') ? { pericardium: rel(str('pericardium')) } : {}),
      ...(str('vessels') ? { vessels: rel(str('vessels')) } : {}),
      ...(str('coronaryMask') ? { coronaryMask: rel(str('coronaryMask')) } : {}),
      ...(str('aorta') ? { aorta: rel(str('aorta')) } : {}),
      ...(str('totalseg') ? { totalseg: rel(str('totalseg')) } : {}),
      ...(lesions ? { lesions: lesions.toLowerCase().endsWith('.json') ? rel(lesions) : lesions } : {}),
      ...(kvp !== undefined ? { kvp } : {}),
    };
  });
}

/** Stable shard of a case: FNV-1a of its id, so adding cases never moves finished ones. */
export function shardOf(caseId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i++) h = Math.imul(h ^ caseId.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}

/** `--shard K/N` (0 ≤ K < N). */
export function parseShard(spec: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && k >= 0 && k < n))
    throw new PerifatError('E_USAGE', `--shard expects K/N with 0 ≤ K < N, got "${spec}"`);
  return { k, n };
}
