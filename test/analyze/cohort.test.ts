/**
 * The simulated cohort end to end: phantoms whose RCA pericoronary fat gradient depends on a
 * hidden label (cohort.ts) are measured by `perifat batch` (CPU backend) and analysed by
 * `perifat analyze`. The AUC, the Youden cut-off and the correlation it finds must agree with the
 * simulation's population values within sampling error, judged by a Monte Carlo of the same design.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Analysis } from '../../src/analyze/types';
import { main } from '../../src/cli/main';
import type { Report } from '../../src/measure/report-types';
import { Rng } from '../../src/phantom/rng';
import { COHORT, simulateCohort, type SimCohort } from './cohort';

let dir: string;
let sim: SimCohort;
let analysis: Analysis;
/** Measured RCA FAI (120 kVp) by case id. */
const fai = new Map<string, number>();

async function quiet(args: string[]): Promise<number> {
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(() => {}),
    vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
  ];
  try {
    return await main(args);
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-cohort-'));
  sim = simulateCohort(dir);
  expect(await quiet(['batch', sim.manifest, '--out', join(dir, 'out'), '--backend', 'cpu', '--quiet'])).toBe(0);
  const code = await quiet([
    'analyze',
    '--results',
    join(dir, 'out'),
    '--outcomes',
    sim.outcomes,
    '--by',
    'caseId',
    '--outcome',
    'event,stenosis',
    '--marker',
    'faiHu120:RCA,faiHu120:LAD',
    '--out',
    join(dir, 'analysis'),
  ]);
  expect(code).toBe(0);
  analysis = JSON.parse(readFileSync(join(dir, 'analysis', 'analysis.json'), 'utf8')) as Analysis;
  for (const c of [...sim.cases, sim.calibration]) {
    const r = JSON.parse(readFileSync(join(dir, 'out', 'reports', `${c.caseId}.json`), 'utf8')) as Report;
    fai.set(c.caseId, r.vessels.find((v) => v.name === 'RCA')?.faiHu120 as number);
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** FAI as a function of the amplitude, interpolated through the measured cases (monotone in A). */
function faiOfAmplitude(): (a: number) => number {
  const pts = [...sim.cases, sim.calibration]
    .map((c) => [c.amplitude, fai.get(c.caseId) as number] as const)
    .sort((p, q) => p[0] - q[0]);
  return (a: number) => {
    let i = pts.findIndex((p) => p[0] >= a);
    if (i <= 0) i = i === 0 ? 1 : pts.length - 1;
    const [a0, f0] = pts[i - 1] as readonly [number, number];
    const [a1, f1] = pts[i] as readonly [number, number];
    return f0 + ((f1 - f0) * (a - a0)) / (a1 - a0);
  };
}

/** Youden cut-off by brute force (written here, not src/analyze's): max over observed t of P(pos ≥ t) + P(neg < t) − 1. */
function bruteYouden(pos: number[], neg: number[]): number {
  let best = -Infinity;
  let cut = NaN;
  for (const t of [...pos, ...neg]) {
    const j = pos.filter((v) => v >= t).length / pos.length + neg.filter((v) => v < t).length / neg.length - 1;
    if (j > best) {
      best = j;
      cut = t;
    }
  }
  return cut;
}

/** The design's sampling distribution of (AUC, Youden cut-off), FAI through the measured g(A). */
function monteCarlo(reps: number): { auc: number[]; cut: number[] } {
  const g = faiOfAmplitude();
  const rng = new Rng(99);
  const auc: number[] = [];
  const cut: number[] = [];
  for (let r = 0; r < reps; r++) {
    const pos = Array.from({ length: COHORT.nPerClass }, () => g(COHORT.mu1 + COHORT.sd * rng.gauss()));
    const neg = Array.from({ length: COHORT.nPerClass }, () => g(COHORT.mu0 + COHORT.sd * rng.gauss()));
    let s = 0;
    for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
    auc.push(s / (pos.length * neg.length));
    cut.push(bruteYouden(pos, neg));
  }
  return { auc, cut };
}

const q = (x: number[], p: number): number => [...x].sort((a, b) => a - b)[Math.floor(p * (x.length - 1))] as number;

describe('perifat analyze on a simulated cohort', () => {
  it('the measured FAI follows the hidden amplitude (the phantom option works)', () => {
    const a = sim.cases.map((c) => c.amplitude);
    const f = sim.cases.map((c) => fai.get(c.caseId) as number);
    const m = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
    const [ma, mf] = [m(a), m(f)];
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    a.forEach((v, i) => {
      sab += (v - ma) * ((f[i] as number) - mf);
      saa += (v - ma) ** 2;
      sbb += ((f[i] as number) - mf) ** 2;
    });
    // Voxel noise (SD 6 HU) averages out over ~1500 fat voxels: FAI is almost a function of A.
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.99);
  });

  it('finds the population AUC within sampling error', () => {
    const r = analysis.binary['event']!.markers['faiHu120:RCA']!;
    const population = normalCdf((COHORT.mu1 - COHORT.mu0) / (COHORT.sd * Math.SQRT2), 0, 1);
    expect(r.direction).toBe('higher');
    expect(r.nPositive).toBe(20);
    expect(r.aucCi95[0]).toBeLessThan(population);
    expect(r.aucCi95[1]).toBeGreaterThan(population);
    const mc = monteCarlo(2000);
    // The AUC lies in the central 99 % of the design's sampling distribution...
    expect(r.auc).toBeGreaterThan(q(mc.auc, 0.005));
    expect(r.auc).toBeLessThan(q(mc.auc, 0.995));
    // ...and DeLong's SE is the spread of that distribution (within 30 %).
    const mean = mc.auc.reduce((a, b) => a + b) / mc.auc.length;
    const sd = Math.sqrt(mc.auc.reduce((a, b) => a + (b - mean) ** 2, 0) / (mc.auc.length - 1));
    expect(Math.abs(mean - population)).toBeLessThan(0.01);
    expect(r.aucSe / sd).toBeGreaterThan(0.7);
    expect(r.aucSe / sd).toBeLessThan(1.3);
  });

  it('finds the Youden cut-off of the simulation (FAI of the midpoint amplitude) within sampling error', () => {
    const r = analysis.binary['event']!.markers['faiHu120:RCA']!;
    const expected = fai.get(sim.calibration.caseId) as number;
    const mc = monteCarlo(2000);
    const spread = mc.cut.map((c) => Math.abs(c - expected));
    expect(Math.abs(r.youden.cutoff - expected)).toBeLessThan(q(spread, 0.99));
    // The cut-off is a measured value and reproduces its sensitivity/specificity with ≥.
    const pos = sim.cases.filter((c) => c.label === 1).map((c) => fai.get(c.caseId) as number);
    const neg = sim.cases.filter((c) => c.label === 0).map((c) => fai.get(c.caseId) as number);
    expect([...pos, ...neg]).toContain(r.youden.cutoff);
    expect(r.youden.sensitivity).toBe(pos.filter((v) => v >= r.youden.cutoff).length / pos.length);
    expect(r.youden.specificity).toBe(neg.filter((v) => v < r.youden.cutoff).length / neg.length);
  });

  it('a marker the label does not touch (LAD) shows no discrimination', () => {
    const r = analysis.binary['event']!.markers['faiHu120:LAD']!;
    // 95 % interval: with this seed it holds 0.5, as it should 95 % of the time.
    expect(r.aucCi95[0]).toBeLessThan(0.5);
    const c = analysis.binary['event']!.comparisons[0]!;
    expect(c.markers).toEqual(['faiHu120:RCA', 'faiHu120:LAD']);
    expect(c.diff).toBeGreaterThan(0);
  });

  it('the radial profiles differ near the wall and converge far from it', () => {
    const p = analysis.binary['event']!.profiles.find((x) => x.vessel === 'RCA')!;
    const [yes, no] = [p.groups[0]!, p.groups[1]!];
    expect(yes.label).toBe('yes');
    const gap = (k: number): number => (yes.rings[k]!.mean as number) - (no.rings[k]!.mean as number);
    // A's mean differs by mu1 − mu0 = 20 HU at the wall; the law decays as exp(−w / 4 mm).
    expect(gap(0)).toBeGreaterThan(8);
    expect(Math.abs(gap(10))).toBeLessThan(gap(0) / 4);
  });

  it('correlates with a continuous outcome as simulated, and lists the rows that do not join', () => {
    const c = analysis.continuous['stenosis']!.markers['faiHu120:RCA']!;
    // stenosis = 30 + 0.8 (A − 48) + 8 ε, A a 50/50 mixture: population r(A, stenosis) ≈ 0.84.
    const varA = COHORT.sd ** 2 + ((COHORT.mu1 - COHORT.mu0) / 2) ** 2;
    const rPop = (0.8 * Math.sqrt(varA)) / Math.sqrt(0.64 * varA + 64);
    expect(c.pearson.ci95[0]).toBeLessThan(rPop);
    expect(c.pearson.ci95[1]).toBeGreaterThan(rPop);
    expect(analysis.join.unmatchedResults).toEqual([sim.calibration.caseId]);
    expect(analysis.join.unmatchedOutcomes).toEqual([sim.ghost]);
  });

  it('the batch results.csv gives the same AUC and cut-off', async () => {
    const out = join(dir, 'from-csv');
    const code = await quiet([
      'analyze',
      '--results',
      join(dir, 'out', 'results.csv'),
      '--outcomes',
      sim.outcomes,
      '--outcome',
      'event',
      '--marker',
      'rca_fai_hu120',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as Analysis;
    const fromCsv = a.binary['event']!.markers['faiHu120:RCA']!;
    const fromJson = analysis.binary['event']!.markers['faiHu120:RCA']!;
    expect(fromCsv.auc).toBe(fromJson.auc);
    expect(Math.abs(fromCsv.youden.cutoff - fromJson.youden.cutoff)).toBeLessThan(1e-6);
    expect(a.binary['event']!.profiles).toEqual([]);
  });
});
