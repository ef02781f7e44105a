/**
 * `perifat analyze` as a user runs it (in process through main): the same numbers from a reports
 * folder and from results.csv; rows that do not join are listed; missing values are counted;
 * every refusal is a typed error naming the column or file, with nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import type { Analysis } from '../../src/analyze/types';
import { writeFakeCohort } from './fake-reports';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-analyze-'));
  writeFakeCohort(dir, 44, { noLad: 3 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command quietly; returns the exit code and what it printed on stderr. */
async function run(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const l = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    return { code: await main(['analyze', ...args]), err: err.join('\n'), out: out.join('\n') };
  } finally {
    e.mockRestore();
    l.mockRestore();
  }
}

const read = (out: string): Analysis => JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as Analysis;

function outcomes(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('perifat analyze', () => {
  it('gives the same numbers from the reports folder and from results.csv', async () => {
    const args = ['--outcomes', join(dir, 'outcomes.csv'), '--outcome', 'event', '--marker', 'faiHu:RCA,eat.meanHu'];
    const a = await run(['--results', dir, ...args, '--out', join(dir, 'a1')]);
    const b = await run(['--results', join(dir, 'results.csv'), ...args, '--out', join(dir, 'a2')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const ra = read(join(dir, 'a1')).binary['event']!.markers['faiHu:RCA']!;
    const rb = read(join(dir, 'a2')).binary['event']!.markers['faiHu:RCA']!;
    // The CSV rounds to 1e-6: same AUC (ranks), cut-off within the rounding.
    expect(rb.auc).toBe(ra.auc);
    expect(rb.aucCi95).toEqual(ra.aucCi95);
    expect(Math.abs(rb.youden.cutoff - ra.youden.cutoff)).toBeLessThan(1e-6);
    expect([rb.youden.sensitivity, rb.youden.specificity]).toEqual([ra.youden.sensitivity, ra.youden.specificity]);
    expect(ra.direction).toBe('higher');
    expect(existsSync(join(dir, 'a1', 'analysis.html'))).toBe(true);
    expect(a.out).toMatch(/faiHu:RCA .*AUC 0\.\d{3} \(0\.\d{3}–[01]\.\d{3}\)/);
    // Published cut-offs apply to coronary FAI, not to the EAT density.
    expect(ra.published.map((p) => p.cutoff)).toEqual([-70.1, -75, -70.83]);
    expect(read(join(dir, 'a1')).binary['event']!.markers['eat.meanHu']!.published).toEqual([]);
    expect(read(join(dir, 'a1')).results.kind).toBe('reports');
  });

  it('lists the rows that do not join and counts the cases excluded for a missing value', async () => {
    const text = readFileSync(join(dir, 'outcomes.csv'), 'utf8').trim().split('\n');
    // c000 loses its row; two rows name no case; c001 has an empty outcome.
    const rows = [text[0], ...text.slice(2), 'zz-1,1,40,60,M', 'zz-2,0,40,60,F'].map((r) =>
      r?.startsWith('c001,') ? r.replace(/^c001,\d/, 'c001,NA') : r,
    );
    const f = outcomes('partial.csv', `${rows.join('\n')}\n`);
    const r = await run([
      '--results',
      dir,
      '--outcomes',
      f,
      '--outcome',
      'event',
      '--marker',
      'faiHu:LAD',
      '--out',
      join(dir, 'a3'),
    ]);
    expect(r.code).toBe(0);
    const a = read(join(dir, 'a3'));
    expect(a.join.unmatchedResults).toEqual(['c000']);
    expect(a.join.unmatchedOutcomes).toEqual(['zz-1', 'zz-2']);
    expect(a.join.matched).toBe(43);
    const m = a.binary['event']!.markers['faiHu:LAD']!;
    // c001 (no outcome); c001 and c002 have no LAD (noLad: 3 → c000–c002), c000 is not joined.
    expect(m.excluded).toEqual({ missingMarker: ['c002'], missingOutcome: ['c001'] });
    expect(m.n).toBe(41);
    expect(a.warnings.join('\n')).toMatch(/c000/);
    expect(a.warnings.join('\n')).toMatch(/zz-1, zz-2/);
    expect(r.out).toMatch(/warning: 2 outcome row\(s\) have no measured case: zz-1, zz-2/);
  });

  it('continuous outcomes, covariates (a two-class column coded 0/1), lesion markers, given cut-offs, a fixed direction', async () => {
    const r = await run([
      '--results',
      dir,
      '--outcomes',
      join(dir, 'outcomes.csv'),
      '--outcome',
      'event',
      '--outcome',
      'stenosis',
      '--marker',
      'faiHu120:RCA',
      '--marker',
      'lesion.faiHu:LAD',
      '--covariates',
      'age,sex',
      '--cutoff',
      '-72',
      '--cutoff=-90,-60',
      '--direction',
      'higher',
      '--out',
      join(dir, 'a4'),
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const a = read(join(dir, 'a4'));
    expect(a.outcomes.covariates).toEqual([
      { column: 'age', coding: 'numeric' },
      { column: 'sex', coding: '1 = "M", 0 = "F"' },
    ]);
    const m = a.binary['event']!.markers['faiHu120:RCA']!;
    expect(m.user.map((u) => [u.cutoff, u.rule])).toEqual([
      [-72, '>='],
      [-90, '>='],
      [-60, '>='],
    ]);
    expect(m.directionFrom).toBe('given');
    const adj = m.logistic.adjusted;
    expect(adj?.estimable).toBe(true);
    if (adj?.estimable)
      expect(adj.terms.map((t) => [t.name, t.per])).toEqual([
        ['faiHu120:RCA', 10],
        ['age', 1],
        ['sex', 1],
      ]);
    const lesion = a.binary['event']!.markers['lesion.faiHu:LAD']!;
    expect(lesion.published.map((p) => [p.id, p.cutoff])).toEqual([['culprit-lesion-like', -68.2]]);
    const c = a.continuous['stenosis']!.markers['faiHu120:RCA']!;
    expect(c.n).toBe(44);
    expect(c.pearson.ci95[0]).toBeLessThan(c.pearson.r);
    expect(a.binary['event']!.comparisons).toHaveLength(1);
    expect(a.binary['event']!.profiles.map((p) => p.vessel)).toEqual(['RCA', 'LAD']);
    expect(a.binary['event']!.profiles[0]!.groups[0]!.rings).toHaveLength(20);
  });

  it('default markers: coronary FAI at 120 kVp where the reports have it, and the EAT density', async () => {
    const r = await run([
      '--results',
      dir,
      '--outcomes',
      join(dir, 'outcomes.csv'),
      '--outcome',
      'event',
      '--out',
      join(dir, 'a5'),
    ]);
    expect(r.code).toBe(0);
    expect(read(join(dir, 'a5')).markers.map((m) => m.id)).toEqual(['faiHu120:RCA', 'faiHu120:LAD', 'eat.meanHu']);
  });

  it('perfect separation: AUC 1 with CI [1, 1], and the odds ratio reported as not estimable', async () => {
    const reports = JSON.parse(
      JSON.stringify(
        Array.from({ length: 44 }, (_, i) => `c${String(i).padStart(3, '0')}`).map((id) => {
          const r = JSON.parse(readFileSync(join(dir, 'reports', `${id}.json`), 'utf8')) as {
            vessels: { name: string; faiHu: number }[];
          };
          return [id, r.vessels.find((v) => v.name === 'RCA')!.faiHu] as const;
        }),
      ),
    ) as [string, number][];
    const median = [...reports.map((r) => r[1])].sort((x, y) => x - y)[22] as number;
    const f = outcomes(
      'separated.csv',
      `caseId,high\n${reports.map(([id, v]) => `${id},${v >= median ? 'yes' : 'no'}`).join('\n')}\n`,
    );
    const r = await run([
      '--results',
      dir,
      '--outcomes',
      f,
      '--outcome',
      'high',
      '--marker',
      'faiHu:RCA',
      '--out',
      join(dir, 'a7'),
    ]);
    expect(r.code).toBe(0);
    const a = read(join(dir, 'a7'));
    const m = a.binary['high']!.markers['faiHu:RCA']!;
    expect([m.auc, ...m.aucCi95]).toEqual([1, 1, 1]);
    expect([m.youden.cutoff, m.youden.sensitivity, m.youden.specificity]).toEqual([median, 1, 1]);
    expect(m.logistic.unadjusted.estimable).toBe(false);
    expect(a.warnings.join('\n')).toMatch(/high × faiHu:RCA: unadjusted logistic regression not estimable: separation/);
    expect(readFileSync(join(dir, 'a7', 'analysis.html'), 'utf8')).toMatch(/n\/e \(separation\)/);
  });

  it('shows text from files escaped in the page (an id that is markup stays text)', async () => {
    const text = readFileSync(join(dir, 'outcomes.csv'), 'utf8');
    const f = outcomes('markup.csv', `${text}"<img src=x onerror=alert(1)>",1,40,60,M\n`);
    const r = await run([
      '--results',
      dir,
      '--outcomes',
      f,
      '--outcome',
      'event',
      '--marker',
      'faiHu:RCA',
      '--out',
      join(dir, 'a8'),
    ]);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'a8', 'analysis.html'), 'utf8');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toContain('<img');
    expect(read(join(dir, 'a8')).join.unmatchedOutcomes).toEqual(['<img src=x onerror=alert(1)>']);
  });

  const base = () => [
    '--results',
    dir,
    '--outcomes',
    join(dir, 'outcomes.csv'),
    '--outcome',
    'event',
    '--out',
    join(dir, 'bad'),
  ];

  it.each([
    [
      'a single outcome class',
      () => [
        '--outcomes',
        outcomes(
          'one.csv',
          `caseId,event\n${Array.from({ length: 44 }, (_, i) => `c${String(i).padStart(3, '0')},1`).join('\n')}\n`,
        ),
      ],
      3,
      /E_INPUT_VALUE: .*one\.csv: outcome event: a single outcome class/,
    ],
    [
      'fewer than 10 per group',
      () => [
        '--outcomes',
        outcomes(
          'few.csv',
          `caseId,event\n${Array.from({ length: 44 }, (_, i) => `c${String(i).padStart(3, '0')},${i < 9 ? 1 : 0}`).join('\n')}\n`,
        ),
      ],
      3,
      /E_INPUT_VALUE: .*few\.csv: outcome event, marker .*: 9 "1" and 35 "0" cases with a value; at least 10/,
    ],
    [
      'a non-numeric marker in a report',
      () => ['--marker', 'name:RCA'],
      3,
      /E_INPUT_FORMAT: .*c000\.json: marker name:RCA, case c000: not a number \("RCA"\)/,
    ],
    [
      'a list where a number belongs',
      () => ['--marker', 'flags:RCA'],
      3,
      /E_INPUT_FORMAT: .*marker flags:RCA, case c000: not a number \(a list\)/,
    ],
    [
      'a field no report has',
      () => ['--marker', 'faiHU:RCA'],
      2,
      /E_USAGE: marker faiHU:RCA: no report has the field "faiHU"/,
    ],
    ['a vessel no report has', () => ['--marker', 'faiHu:OM1'], 3, /E_INPUT_VALUE: .*no report has a vessel named OM1/],
    [
      'duplicate ids in the outcomes',
      () => ['--outcomes', outcomes('dup.csv', 'caseId,event\nc001,1\nc002,0\nc001,0\n')],
      3,
      /E_INPUT_FORMAT: .*dup\.csv: line 4: duplicate case id "c001" in column caseId \(also line 2\)/,
    ],
    ['no --by column', () => ['--by', 'patient'], 3, /E_INPUT_FORMAT: .*outcomes\.csv: no id column "patient"/],
    [
      'no such outcome column',
      () => ['--outcome', 'death'],
      3,
      /E_INPUT_FORMAT: .*outcomes\.csv: no column "death" \(--outcome\)/,
    ],
    [
      'classes without a known positive',
      () => [
        '--outcomes',
        outcomes(
          'mi.csv',
          `caseId,mi\n${Array.from({ length: 44 }, (_, i) => `c${String(i).padStart(3, '0')},${i % 2 ? 'MI' : 'none'}`).join('\n')}\n`,
        ),
        '--outcome',
        'mi',
      ],
      2,
      /E_USAGE: outcome mi has the classes "MI" and "none": say which is positive with --positive mi=LABEL/,
    ],
    [
      'an output that is an input',
      () => ['--outcomes', outcomes('analysis.json', 'caseId,event\n'), '--out', dir],
      2,
      /E_USAGE: the output .*analysis\.json is an input/,
    ],
    ['a malformed marker', () => ['--marker', 'faiHu:'], 2, /E_USAGE: --marker "faiHu:"/],
  ])('refuses %s, naming it, and writes nothing', async (_what, extra, code, message) => {
    const args = [...base()];
    const more = extra();
    // Later flags win for single-valued options; --outcome/--marker replace the base's.
    for (let i = 0; i < more.length; i += 2) {
      const k = args.indexOf(more[i] as string);
      if (k >= 0 && more[i] !== '--marker') args.splice(k, 2);
      args.push(more[i] as string, more[i + 1] as string);
    }
    const r = await run(args);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('refuses non-numeric cells and lesion markers on results.csv, naming the column and file', async () => {
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').split('\n');
    const h = (csv[0] as string).split(',');
    const k = h.indexOf('rca_fai_hu');
    const row = (csv[3] as string).split(',');
    row[k] = 'high';
    csv[3] = row.join(',');
    const f = join(dir, 'text.csv');
    writeFileSync(f, csv.join('\n'));
    const common = ['--outcomes', join(dir, 'outcomes.csv'), '--outcome', 'event', '--out', join(dir, 'bad')];
    const r = await run(['--results', f, ...common, '--marker', 'rca_fai_hu']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/E_INPUT_FORMAT: .*text\.csv:4: column rca_fai_hu, case c002: not a number \("high"\)/);
    const l = await run(['--results', join(dir, 'results.csv'), ...common, '--marker', 'lesion.faiHu:LAD']);
    expect(l.code).toBe(3);
    expect(l.err).toMatch(/results\.csv: lesion\.faiHu:LAD is in the JSON reports only/);
    const dupDir = join(dir, 'dups');
    writeFakeCohort(dupDir, 12);
    writeFileSync(join(dupDir, 'reports', 'copy.json'), readFileSync(join(dupDir, 'reports', 'c003.json')));
    const d = await run(['--results', dupDir, ...common]);
    expect(d.code).toBe(3);
    expect(d.err).toMatch(/E_INPUT_FORMAT: .*copy\.json: case id "c003" appears twice \(also in .*c003\.json\)/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('replaces both outputs together: a failed run leaves the previous ones as they were', async () => {
    const out = join(dir, 'a6');
    const ok = ['--results', dir, '--outcomes', join(dir, 'outcomes.csv'), '--out', out];
    expect((await run([...ok, '--outcome', 'event'])).code).toBe(0);
    const before = readFileSync(join(out, 'analysis.json'), 'utf8');
    expect((await run([...ok, '--outcome', 'nope'])).code).toBe(3);
    expect(readFileSync(join(out, 'analysis.json'), 'utf8')).toBe(before);
  });
});
