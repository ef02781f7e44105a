/**
 * perifat's statistics against independent implementations on public data: R's pROC on its aSAH
 * data (AUC, DeLong variance and CI, paired DeLong test, Youden point; values copied from pROC's
 * own tests, fixtures/proc-asah.json) and scipy on a fixed sample (fixtures/scipy-reference.json,
 * written by scipy-reference.py). Ties (wfns has 5 levels for 113 patients) and perfect separation
 * are included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe as suite, expect, it } from 'vitest';
import { accuracyAt, youden } from '../../src/analyze/cutoff';
import { aucWithCi, delongParts, delongVariance, pairedDelong } from '../../src/analyze/delong';
import { describe } from '../../src/analyze/describe';
import { mannWhitney, welch } from '../../src/analyze/group-tests';
import { pearson, spearman } from '../../src/analyze/correlation';
import { logistic } from '../../src/analyze/logistic';
import { autoDirection, oriented, rocCurve } from '../../src/analyze/roc';
import { wilson } from '../../src/analyze/wilson';

const FIX = join(__dirname, 'fixtures');
const json = <T>(name: string): T => JSON.parse(readFileSync(join(FIX, name), 'utf8')) as T;

interface Proc {
  auc: Record<string, { value: number }>;
  delongVar: Record<string, { value: number }>;
  ciAuc: { ndka: { value: [number, number, number] } };
  rocTest: Record<string, { z: number; p: number; ci95: [number, number] }>;
  youden: { s100b: { thresholdMidpoint: number; specificity: number; sensitivity: number } };
}
const proc = json<Proc>('proc-asah.json');

/** asah.csv: outcome Good/Poor and the three markers pROC's tests use. */
function asah(): { poor: boolean[]; cols: Record<string, number[]>; age: number[]; male: number[] } {
  const [head, ...lines] = readFileSync(join(FIX, 'asah.csv'), 'utf8').trim().split('\n');
  const h = (head as string).split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [h[i] as string, c])));
  return {
    poor: rows.map((r) => r['outcome'] === 'Poor'),
    cols: Object.fromEntries(['s100b', 'wfns', 'ndka'].map((m) => [m, rows.map((r) => Number(r[m]))])),
    age: rows.map((r) => Number(r['age'])),
    male: rows.map((r) => (r['gender'] === 'Male' ? 1 : 0)),
  };
}

const data = asah();
const split = (x: number[]): [number[], number[]] => [
  x.filter((_, i) => data.poor[i]),
  x.filter((_, i) => !data.poor[i]),
];
const close = (a: number, b: number, rel = 1e-9): void => {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

suite('ROC and DeLong against pROC (aSAH)', () => {
  it('AUC and DeLong variance of s100b, wfns (heavy ties) and ndka', () => {
    for (const m of ['s100b', 'wfns', 'ndka']) {
      const [pos, neg] = split(data.cols[m] as number[]);
      expect(autoDirection(pos, neg)).toBe('higher');
      const parts = delongParts(pos, neg);
      close(parts.auc, (proc.auc[m] as { value: number }).value, 1e-12);
      close(delongVariance(parts), (proc.delongVar[m] as { value: number }).value, 1e-10);
    }
  });

  it('the 95 % CI: ndka as pROC prints it, also with the direction reversed; s100b 0.6301–0.8326', () => {
    const [pos, neg] = split(data.cols['ndka'] as number[]);
    const want = proc.ciAuc.ndka.value;
    const ci = aucWithCi(delongParts(pos, neg));
    close(ci.ci95[0], want[0], 1e-10);
    close(ci.auc, want[1], 1e-12);
    close(ci.ci95[1], want[2], 1e-10);
    // −ndka: pROC's auto direction turns to '>' and gives the same AUC and CI.
    const np = pos.map((v) => -v);
    const nn = neg.map((v) => -v);
    expect(autoDirection(np, nn)).toBe('lower');
    const flipped = aucWithCi(delongParts(oriented(np, 'lower'), oriented(nn, 'lower')));
    close(flipped.ci95[0], want[0], 1e-10);
    close(flipped.ci95[1], want[2], 1e-10);
    const [sp, sn] = split(data.cols['s100b'] as number[]);
    const s = aucWithCi(delongParts(sp, sn));
    expect(s.ci95[0].toFixed(4)).toBe('0.6301');
    expect(s.ci95[1].toFixed(4)).toBe('0.8326');
  });

  it('paired DeLong test of two AUCs on the same patients (roc.test)', () => {
    const parts = (m: string) => {
      const [pos, neg] = split(data.cols[m] as number[]);
      return delongParts(pos, neg);
    };
    for (const [a, b] of [
      ['wfns', 's100b'],
      ['wfns', 'ndka'],
      ['ndka', 's100b'],
    ] as const) {
      const want = proc.rocTest[`${a}-${b}`] as { z: number; p: number; ci95: [number, number] };
      const t = pairedDelong(parts(a), parts(b));
      close(t.z, want.z, 1e-10);
      close(t.p, want.p, 1e-9);
      close(t.ci95[0], want.ci95[0], 1e-9);
      close(t.ci95[1], want.ci95[1], 1e-9);
    }
    const same = pairedDelong(parts('wfns'), parts('wfns'));
    expect([same.z, same.p]).toEqual([0, 1]);
  });

  it("Youden's best point of s100b is pROC's (sensitivity 26/41, specificity 58/72)", () => {
    const [pos, neg] = split(data.cols['s100b'] as number[]);
    const y = youden(pos, neg, 'higher');
    close(y.sensitivity, proc.youden.s100b.sensitivity, 1e-15);
    close(y.specificity, proc.youden.s100b.specificity, 1e-15);
    // Our cut-off is the smallest observed value called positive: just above pROC's midpoint.
    expect(y.cutoff).toBeGreaterThan(proc.youden.s100b.thresholdMidpoint);
    expect([...pos, ...neg].filter((v) => v > proc.youden.s100b.thresholdMidpoint && v < y.cutoff)).toEqual([]);
    // ≥ cut-off reproduces the numbers on the data.
    const again = accuracyAt(pos, neg, y.cutoff, '>=');
    expect([again.tp, again.fn, again.tn, again.fp]).toEqual([26, 15, 58, 14]);
  });

  it('the ROC curve runs from (1, 0) to (0, 1) with AUC equal to its trapezoid area', () => {
    const [pos, neg] = split(data.cols['wfns'] as number[]);
    const roc = rocCurve(pos, neg, 'higher');
    expect(roc[0]).toEqual({ cutoff: null, sensitivity: 0, specificity: 1 });
    expect(roc.at(-1)).toMatchObject({ sensitivity: 1, specificity: 0 });
    let area = 0;
    for (let i = 1; i < roc.length; i++) {
      const a = roc[i - 1] as (typeof roc)[number];
      const b = roc[i] as (typeof roc)[number];
      area += ((a.specificity - b.specificity) * (a.sensitivity + b.sensitivity)) / 2;
    }
    close(area, (proc.auc['wfns'] as { value: number }).value, 1e-12);
  });
});

interface Sci {
  samples: Record<'pos' | 'neg' | 'sepPos' | 'sepNeg' | 'u' | 'v', number[]>;
  welch: { t: number; p: number; df: number; meanDiffCi95: [number, number] };
  welchSep: { t: number; p: number; df: number; meanDiffCi95: [number, number] };
  mannWhitney: { u: number; p: number };
  mannWhitneySep: { u: number; p: number };
  describe: { mean: number; sd: number; median: number; q1: number; q3: number };
  pearson: { r: number; p: number; ci95: [number, number] };
  spearman: { rho: number; p: number; ci95: [number, number]; bootstrapCi95: [number, number] };
  wilson: { cases: { k: number; n: number; ci95: [number, number] }[] };
  delong: { auc: number; var: number; bootstrapSe: number };
  delongSep: { auc: number; var: number };
  logistic: { beta: number[]; se: number[]; p: number[]; logLik: number };
  logisticHu: { beta: number[]; se: number[]; p: number[]; logLik: number };
}
const sci = json<Sci>('scipy-reference.json');
const S = sci.samples;

suite('group tests, correlation, Wilson and logistic against scipy', () => {
  it('Welch t-test with its interval, and on a perfectly separated sample', () => {
    for (const [w, ref] of [
      [welch(S.pos, S.neg), sci.welch],
      [welch(S.sepPos, S.sepNeg), sci.welchSep],
    ] as const) {
      close(w.t, ref.t, 1e-12);
      close(w.df, ref.df, 1e-12);
      close(w.p, ref.p, 1e-8);
      close(w.meanDiffCi95[0], ref.meanDiffCi95[0], 1e-10);
      close(w.meanDiffCi95[1], ref.meanDiffCi95[1], 1e-10);
    }
  });

  it('Mann–Whitney U with ties and continuity correction; U/(n1·n0) is the AUC', () => {
    const m = mannWhitney(S.pos, S.neg);
    expect(m.u).toBe(sci.mannWhitney.u);
    close(m.p, sci.mannWhitney.p, 1e-9);
    close(m.u / (S.pos.length * S.neg.length), delongParts(S.pos, S.neg).auc, 1e-15);
    const s = mannWhitney(S.sepPos, S.sepNeg);
    expect(s.u).toBe(sci.mannWhitneySep.u);
    close(s.p, sci.mannWhitneySep.p, 1e-9);
  });

  it('mean, SD, median and quartiles as numpy', () => {
    const d = describe(S.pos);
    close(d.mean as number, sci.describe.mean, 1e-14);
    close(d.sd as number, sci.describe.sd, 1e-13);
    expect([d.median, d.q1, d.q3]).toEqual([sci.describe.median, sci.describe.q1, sci.describe.q3]);
  });

  it('Pearson and Spearman with CIs (Spearman CI also inside a bootstrap band)', () => {
    const p = pearson(S.u, S.v);
    close(p.r, sci.pearson.r, 1e-13);
    close(p.p, sci.pearson.p, 1e-8);
    close(p.ci95[0], sci.pearson.ci95[0], 1e-12);
    close(p.ci95[1], sci.pearson.ci95[1], 1e-12);
    const s = spearman(S.u, S.v);
    close(s.r, sci.spearman.rho, 1e-13);
    close(s.p, sci.spearman.p, 1e-8);
    close(s.ci95[0], sci.spearman.ci95[0], 1e-12);
    close(s.ci95[1], sci.spearman.ci95[1], 1e-12);
    expect(Math.abs(s.ci95[0] - sci.spearman.bootstrapCi95[0])).toBeLessThan(0.06);
    expect(Math.abs(s.ci95[1] - sci.spearman.bootstrapCi95[1])).toBeLessThan(0.03);
  });

  it('Wilson intervals, including 0/n and n/n', () => {
    for (const c of sci.wilson.cases) {
      const w = wilson(c.k, c.n) as [number, number];
      close(w[0], c.ci95[0], 1e-12);
      close(w[1], c.ci95[1], 1e-12);
    }
    expect(wilson(0, 0)).toBeNull();
  });

  it('DeLong on the HU sample equals the pairwise definition; its SE is near a bootstrap', () => {
    const p = delongParts(S.pos, S.neg);
    close(p.auc, sci.delong.auc, 1e-14);
    close(delongVariance(p), sci.delong.var, 1e-12);
    expect(Math.abs(Math.sqrt(delongVariance(p)) - sci.delong.bootstrapSe)).toBeLessThan(0.006);
  });

  it('perfect separation: AUC 1, CI [1, 1], Youden sensitivity = specificity = 1, logistic not estimable', () => {
    const p = delongParts(S.sepPos, S.sepNeg);
    expect([p.auc, delongVariance(p)]).toEqual([sci.delongSep.auc, sci.delongSep.var]);
    expect(aucWithCi(p).ci95).toEqual([1, 1]);
    const y = youden(S.sepPos, S.sepNeg, 'higher');
    expect([y.sensitivity, y.specificity, y.cutoff]).toEqual([1, 1, Math.min(...S.sepPos)]);
    const fit = logistic(
      [...S.sepPos.map(() => 1), ...S.sepNeg.map(() => 0)],
      [{ name: 'hu', values: [...S.sepPos, ...S.sepNeg], per: 10 }],
    );
    expect(fit.estimable).toBe(false);
    if (!fit.estimable) expect(fit.reason).toMatch(/separation/);
  });

  it('logistic regression refuses collinear and constant columns instead of guessing', () => {
    const y = data.poor.map((p) => (p ? 1 : 0));
    const age = { name: 'age', values: data.age, per: 1 };
    const twice = logistic(y, [age, { name: 'age2', values: data.age.map((a) => 2 * a), per: 1 }]);
    expect(twice.estimable ? '' : twice.reason).toMatch(/collinear/);
    const flat = logistic(y, [{ name: 'one', values: data.age.map(() => 1), per: 1 }]);
    expect(flat.estimable ? '' : flat.reason).toMatch(/one does not vary/);
  });

  it('logistic regression: aSAH poor ~ s100b + age + male, and OR per 10 HU on the HU sample', () => {
    const fit = logistic(
      data.poor.map((p) => (p ? 1 : 0)),
      [
        { name: 's100b', values: data.cols['s100b'] as number[], per: 1 },
        { name: 'age', values: data.age, per: 1 },
        { name: 'male', values: data.male, per: 1 },
      ],
    );
    if (!fit.estimable) throw new Error(fit.reason);
    close(fit.logLik, sci.logistic.logLik, 1e-10);
    fit.terms.forEach((t, j) => {
      close(t.beta, sci.logistic.beta[j] as number, 1e-7);
      close(t.se, sci.logistic.se[j] as number, 1e-7);
      close(t.p, sci.logistic.p[j] as number, 1e-6);
    });
    const hu = logistic(
      [...S.pos.map(() => 1), ...S.neg.map(() => 0)],
      [{ name: 'hu', values: [...S.pos, ...S.neg], per: 10 }],
    );
    if (!hu.estimable) throw new Error(hu.reason);
    const t = hu.terms[0] as (typeof hu.terms)[number];
    close(t.beta, sci.logisticHu.beta[0] as number, 1e-7);
    close(t.se, sci.logisticHu.se[0] as number, 1e-7);
    close(t.oddsRatio, Math.exp(10 * (sci.logisticHu.beta[0] as number)), 1e-6);
  });
});
