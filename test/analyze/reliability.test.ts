/**
 * analyze reads data as data: a column named `__proto__` or `constructor` is a column like any
 * other; an outcome whose numbers are two values (1 and 1.0) is binary; perifat's own guarded CSV
 * cells ('-001) read back to the ids they were; a non-finite cell is refused, named by its case.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/analyze/types';
import { reportsCsv } from '../../src/io/report-csv';
import { Rng } from '../../src/phantom/rng';
import { runCli } from '../helpers/run-cli';
import { fakeReport, writeFakeCohort } from './fake-reports';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-analyze-rel-'));
  writeFakeCohort(dir, 40);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (out: string): Analysis => JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as Analysis;

/** outcomes.csv of the fake cohort with extra columns computed from each row's event label. */
function outcomesWith(name: string, columns: Record<string, (event: number, i: number) => string>): string {
  const [head, ...rows] = readFileSync(join(dir, 'outcomes.csv'), 'utf8').trim().split('\n');
  const names = Object.keys(columns);
  const lines = [
    `${head},${names.join(',')}`,
    ...rows.map((r, i) => {
      const event = Number(r.split(',')[1]);
      return `${r},${names.map((n) => (columns[n] as (e: number, i: number) => string)(event, i)).join(',')}`;
    }),
  ];
  const f = join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

const analyze = (results: string, outcomes: string, outcome: string, out: string, ...extra: string[]) =>
  runCli([
    'analyze',
    '--results',
    results,
    '--outcomes',
    outcomes,
    '--outcome',
    outcome,
    '--by',
    'caseId',
    '--out',
    out,
    ...extra,
  ]);

describe('analyze reads column names and cells as data', () => {
  it('analyses outcome columns named __proto__ and constructor', async () => {
    const f = outcomesWith('proto.csv', {
      ['__proto__']: (e: number) => String(e),
      constructor: (e: number) => String(1 - e),
    });
    for (const col of ['__proto__', 'constructor']) {
      const out = join(dir, `a-${col}`);
      expect((await analyze(dir, f, col, out)).code).toBe(0);
      const binary = read(out).binary;
      expect(Object.keys(binary)).toEqual([col]);
      expect(Object.getOwnPropertyDescriptor(binary, col)?.value).toBeDefined();
    }
    const a = Object.getOwnPropertyDescriptor(read(join(dir, 'a-__proto__')).binary, '__proto__')?.value as {
      markers: Record<string, { auc: number }>;
    };
    const b = read(join(dir, 'a-constructor')).binary['constructor']!;
    // The two columns are each other's complement: with the direction chosen per outcome, one AUC.
    expect(a.markers['faiHu120:RCA']!.auc).toBeCloseTo(b.markers['faiHu120:RCA']!.auc, 12);
    expect(a.markers['faiHu120:RCA']!.auc).toBeGreaterThan(0.5);
  });

  it('takes an outcome written as 1 and 1.0 (and 0, 0.0) as binary', async () => {
    const f = outcomesWith('mixed.csv', { event2: (e, i) => (i % 3 === 0 ? `${e}.0` : String(e)) });
    const mixed = join(dir, 'a-mixed');
    const plain = join(dir, 'a-plain');
    expect((await analyze(dir, f, 'event2', mixed)).code).toBe(0);
    expect((await analyze(dir, f, 'event', plain)).code).toBe(0);
    const m = read(mixed);
    expect(m.continuous).toEqual({});
    expect(m.binary['event2']!.positive).toBe('1');
    expect(m.binary['event2']!.markers).toEqual(read(plain).binary['event']!.markers);
  });

  it('refuses a non-finite number, naming the case', async () => {
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').split('\n');
    const cols = (csv[0] as string).split(',');
    const k = cols.indexOf('rca_fai_hu');
    const cells = (csv[3] as string).split(',');
    cells[k] = '1e999';
    csv[3] = cells.join(',');
    const f = join(dir, 'inf.csv');
    writeFileSync(f, csv.join('\n'));
    const out = join(dir, 'a-inf');
    const r = await analyze(f, join(dir, 'outcomes.csv'), 'event', out, '--marker', 'rca_fai_hu');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/column rca_fai_hu, case c002: not a number \("1e999"\)/);
  });
});

describe("perifat's own CSV read back", () => {
  it('joins ids that the formula guard quoted (-001) to the outcomes', async () => {
    const sub = join(dir, 'guarded');
    mkdirSync(sub);
    const rng = new Rng(5);
    const cases = Array.from({ length: 30 }, (_, i) => ({
      caseId: `-${String(i).padStart(3, '0')}`,
      label: (i % 2) as 0 | 1,
    }));
    const results = join(sub, 'results.csv');
    writeFileSync(results, reportsCsv(cases.map((c) => fakeReport(c, rng))));
    expect(readFileSync(results, 'utf8')).toContain("'-001");
    const outcomes = join(sub, 'outcomes.csv');
    writeFileSync(outcomes, `caseId,event\n${cases.map((c) => `${c.caseId},${c.label}`).join('\n')}\n`);
    const out = join(sub, 'a');
    expect((await analyze(results, outcomes, 'event', out)).code).toBe(0);
    const a = read(out);
    expect(a.join.matched).toBe(30);
  });
});
