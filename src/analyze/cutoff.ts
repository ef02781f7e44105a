/**
 * Diagnostic accuracy at a cut-off: the 2×2 table, sensitivity, specificity, PPV and NPV with
 * Wilson 95 % intervals, and the Youden-optimal cut-off (max sensitivity + specificity − 1).
 * PPV and NPV are those of the cohort: they hold only at its prevalence.
 */
import { type Direction, rocCurve } from './roc';
import { wilson } from './wilson';

export type Rule = '>=' | '<=';

export interface Accuracy {
  cutoff: number;
  /** A case is positive when its value `rule` cutoff. */
  rule: Rule;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number;
  sensitivityCi95: [number, number] | null;
  specificity: number;
  specificityCi95: [number, number] | null;
  /** Null when no case is called positive. */
  ppv: number | null;
  ppvCi95: [number, number] | null;
  /** Null when no case is called negative. */
  npv: number | null;
  npvCi95: [number, number] | null;
  /** sensitivity + specificity − 1. */
  youdenJ: number;
}

export const ruleOf = (d: Direction): Rule => (d === 'higher' ? '>=' : '<=');

export function accuracyAt(pos: readonly number[], neg: readonly number[], cutoff: number, rule: Rule): Accuracy {
  const called = (v: number): boolean => (rule === '>=' ? v >= cutoff : v <= cutoff);
  const tp = pos.filter(called).length;
  const fp = neg.filter(called).length;
  const fn = pos.length - tp;
  const tn = neg.length - fp;
  const sensitivity = tp / pos.length;
  const specificity = tn / neg.length;
  return {
    cutoff,
    rule,
    tp,
    fp,
    tn,
    fn,
    sensitivity,
    sensitivityCi95: wilson(tp, pos.length),
    specificity,
    specificityCi95: wilson(tn, neg.length),
    ppv: tp + fp > 0 ? tp / (tp + fp) : null,
    ppvCi95: wilson(tp, tp + fp),
    npv: tn + fn > 0 ? tn / (tn + fn) : null,
    npvCi95: wilson(tn, tn + fn),
    youdenJ: sensitivity + specificity - 1,
  };
}

/**
 * The cut-off of largest Youden J among the observed values. Ties go to the first met walking
 * from the strictest cut-off (fewest positives), i.e. the highest specificity among equals.
 */
export function youden(pos: readonly number[], neg: readonly number[], d: Direction): Accuracy {
  let best: { cutoff: number; j: number } | null = null;
  for (const p of rocCurve(pos, neg, d)) {
    if (p.cutoff === null) continue;
    const j = p.sensitivity + p.specificity - 1;
    if (best === null || j > best.j + 1e-12) best = { cutoff: p.cutoff, j };
  }
  if (best === null) throw new RangeError('youden needs at least one value');
  return accuracyAt(pos, neg, best.cutoff, ruleOf(d));
}
