/**
 * Logistic regression by maximum likelihood (Newton–Raphson / IRLS with step halving), Wald
 * standard errors from the inverse information matrix. Columns are standardised while fitting
 * (HU around −80 next to an intercept of 1 would make the information matrix ill-conditioned) and
 * the estimates mapped back exactly. Separation (an infinite maximum-likelihood estimate, common
 * with small cohorts and a strong marker) is reported as not estimable instead of a huge odds ratio.
 */
import { mean, variance } from './describe';
import { normalP, z975 } from './dists';

export interface LogisticTerm {
  name: string;
  beta: number;
  se: number;
  p: number;
  /** exp(per · beta) with its Wald 95 % interval. */
  per: number;
  oddsRatio: number;
  oddsRatioCi95: [number, number];
}

export type LogisticFit =
  | { estimable: true; n: number; events: number; iterations: number; logLik: number; terms: LogisticTerm[] }
  | { estimable: false; n: number; events: number; reason: string };

/** Cholesky solve of A x = b for a symmetric positive definite A; null when A is not. */
function cholesky(a: number[][]): number[][] | null {
  const k = a.length;
  const l = a.map(() => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (a[i] as number[])[j] as number;
      for (let m = 0; m < j; m++) s -= ((l[i] as number[])[m] as number) * ((l[j] as number[])[m] as number);
      if (i === j) {
        if (!(s > 1e-12)) return null;
        (l[i] as number[])[i] = Math.sqrt(s);
      } else (l[i] as number[])[j] = s / ((l[j] as number[])[j] as number);
    }
  }
  return l;
}

function cholSolve(l: number[][], b: readonly number[]): number[] {
  const k = b.length;
  const y = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= ((l[i] as number[])[m] as number) * (y[m] as number);
    y[i] = s / ((l[i] as number[])[i] as number);
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let m = i + 1; m < k; m++) s -= ((l[m] as number[])[i] as number) * (x[m] as number);
    x[i] = s / ((l[i] as number[])[i] as number);
  }
  return x;
}

function inverse(l: number[][]): number[][] {
  const k = l.length;
  const cols = Array.from({ length: k }, (_, j) =>
    cholSolve(
      l,
      Array.from({ length: k }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (cols[j] as number[])[i] as number));
}

const SEPARATION = 'separation: the outcome is (almost) perfectly predicted, the odds ratio is infinite';

const sigmoid = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

function logLik(z: number[][], y: readonly number[], b: readonly number[]): number {
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    let eta = 0;
    for (let j = 0; j < b.length; j++) eta += ((z[i] as number[])[j] as number) * (b[j] as number);
    // log σ(η) and log(1 − σ(η)) without overflow.
    ll += (y[i] as number) === 1 ? -Math.log1p(Math.exp(-eta)) : -Math.log1p(Math.exp(eta));
  }
  return ll;
}

/**
 * Fits y ~ 1 + columns. `per[j]` scales the reported odds ratio of column j (10 for a HU marker:
 * odds ratio per 10 HU). Rows must be complete (the caller drops missing values).
 */
export function logistic(
  y: readonly number[],
  columns: readonly { name: string; values: readonly number[]; per: number }[],
): LogisticFit {
  const n = y.length;
  const events = y.filter((v) => v === 1).length;
  const bad = (reason: string): LogisticFit => ({ estimable: false, n, events, reason });
  const k = columns.length + 1;
  if (events === 0 || events === n) return bad('a single outcome class');
  if (n <= k) return bad(`${n} cases for ${k} coefficients`);
  const centre = columns.map((c) => mean(c.values));
  const scale = columns.map((c) => Math.sqrt(variance(c.values)));
  const flat = scale.findIndex((s) => !(s > 0));
  if (flat >= 0) return bad(`${(columns[flat] as { name: string }).name} does not vary`);
  const z = y.map((_, i) => [
    1,
    ...columns.map((c, j) => ((c.values[i] as number) - (centre[j] as number)) / (scale[j] as number)),
  ]);

  let b = new Array<number>(k).fill(0);
  let ll = logLik(z, y, b);
  let l: number[][] | null = null;
  let iterations = 0;
  let converged = false;
  for (; iterations < 100 && !converged; iterations++) {
    const info = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const score = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const row = z[i] as number[];
      let eta = 0;
      for (let j = 0; j < k; j++) eta += (row[j] as number) * (b[j] as number);
      const p = sigmoid(eta);
      const w = p * (1 - p);
      for (let a = 0; a < k; a++) {
        score[a] = (score[a] as number) + (row[a] as number) * ((y[i] as number) - p);
        for (let c = 0; c <= a; c++)
          (info[a] as number[])[c] = ((info[a] as number[])[c] as number) + w * (row[a] as number) * (row[c] as number);
      }
    }
    for (let a = 0; a < k; a++)
      for (let c = 0; c < a; c++) (info[c] as number[])[a] = (info[a] as number[])[c] as number;
    l = cholesky(info);
    // Singular at the start (all weights ¼): collinear columns. Later: the weights p(1 − p) of
    // the fitted cases vanished, i.e. they are predicted perfectly.
    if (!l) return bad(iterations === 0 ? 'collinear columns: the information matrix is singular' : SEPARATION);
    const step = cholSolve(l, score);
    // Step halving keeps every iteration an ascent of the likelihood.
    let t = 1;
    let next = b.map((v, j) => v + (step[j] as number));
    let llNext = logLik(z, y, next);
    while (llNext < ll - 1e-12 && t > 1e-6) {
      t /= 2;
      next = b.map((v, j) => v + t * (step[j] as number));
      llNext = logLik(z, y, next);
    }
    const moved = Math.max(...next.map((v, j) => Math.abs(v - (b[j] as number))));
    converged = Math.abs(llNext - ll) < 1e-10 && moved < 1e-7;
    b = next;
    ll = llNext;
  }
  // Separation: the likelihood keeps rising towards 1 as coefficients grow without bound.
  if (!converged || b.some((v) => Math.abs(v) > 15) || ll > -1e-6) return bad(SEPARATION);
  // The information at the final estimate.
  const info = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const row = z[i] as number[];
    let eta = 0;
    for (let j = 0; j < k; j++) eta += (row[j] as number) * (b[j] as number);
    const p = sigmoid(eta);
    for (let a = 0; a < k; a++)
      for (let c = 0; c < k; c++)
        (info[a] as number[])[c] =
          ((info[a] as number[])[c] as number) + p * (1 - p) * (row[a] as number) * (row[c] as number);
  }
  l = cholesky(info);
  if (!l) return bad(SEPARATION);
  const covStd = inverse(l);
  // Back to the original units: beta_j = b_j / s_j (the intercept is not reported).
  const terms = columns.map((c, j): LogisticTerm => {
    const s = scale[j] as number;
    const beta = (b[j + 1] as number) / s;
    const se = Math.sqrt((covStd[j + 1] as number[])[j + 1] as number) / s;
    return {
      name: c.name,
      beta,
      se,
      p: normalP(beta / se),
      per: c.per,
      oddsRatio: Math.exp(c.per * beta),
      oddsRatioCi95: [Math.exp(c.per * (beta - z975() * se)), Math.exp(c.per * (beta + z975() * se))],
    };
  });
  return { estimable: true, n, events, iterations, logLik: ll, terms };
}
