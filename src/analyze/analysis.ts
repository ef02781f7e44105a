/**
 * The analysis of a measured cohort against its outcomes: for every binary outcome and marker the
 * ROC (AUC, DeLong CI, direction), the Youden-optimal, published and user cut-offs, the groups'
 * summaries and tests and the logistic odds ratios; paired AUC comparisons of the markers; radial
 * profiles by group; for every continuous outcome Pearson and Spearman correlations. Refuses what
 * it cannot analyse honestly (a single class, < 10 cases per group) with the column named.
 */
import { PerifatError } from '../errors';
import { dict } from '../util/dict';
import { safeText } from '../util/safe-text';
import { PERIFAT_VERSION } from '../version';
import { pearson, spearman } from './correlation';
import { accuracyAt, ruleOf, youden } from './cutoff';
import { aucWithCi, delongParts, pairedDelong } from './delong';
import { describe, variance } from './describe';
import { mannWhitney, welch } from './group-tests';
import { joinCases } from './join';
import { logistic, type LogisticFit } from './logistic';
import { checkMarker, defaultMarkers, type Marker, markerValue, publishedCutoffs } from './markers';
import { type Covariate, type OutcomeTable, type OutcomeVar, readCovariate, readOutcome } from './outcomes';
import { radialProfile } from './profile';
import type { ResultSet } from './results';
import { autoDirection, type Direction, oriented, rocCurve } from './roc';
import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type BinaryMarkerResult,
  type BinaryOutcomeResult,
  type ContinuousMarkerResult,
  type PairedComparison,
  type Profile,
} from './types';

export interface AnalyzeOptions {
  outcomes: readonly string[];
  /** null: the default markers (coronary FAI, EAT density). */
  markers: readonly Marker[] | null;
  /** Positive class per outcome column ('*' for every binary outcome). */
  positive: ReadonlyMap<string, string>;
  direction: 'auto' | Direction;
  cutoffs: readonly number[];
  covariates: readonly string[];
  /** Smallest group (cases with a value) a binary analysis accepts. */
  minPerGroup: number;
}

type Values = Map<string, number | null>;

function valuesOf(m: Marker, set: ResultSet, ids: readonly string[]): Values {
  const byId = new Map(set.cases.map((c) => [c.id, c]));
  return new Map(
    ids.map((id) => {
      const v = markerValue(m, byId.get(id) as (typeof set.cases)[number]);
      return [id, v.ok ? v.value : null];
    }),
  );
}

/** Splits the joined cases by outcome class, listing those left out and why. */
function split(ids: readonly string[], x: Values, y: Map<string, 0 | 1 | null>) {
  const pos: { id: string; v: number }[] = [];
  const neg: { id: string; v: number }[] = [];
  const missingMarker: string[] = [];
  const missingOutcome: string[] = [];
  for (const id of ids) {
    const c = y.get(id) ?? null;
    const v = x.get(id) ?? null;
    if (c === null) missingOutcome.push(id);
    else if (v === null) missingMarker.push(id);
    else (c === 1 ? pos : neg).push({ id, v });
  }
  return { pos, neg, excluded: { missingMarker, missingOutcome } };
}

/** Odds ratios per 10 HU for attenuation markers (the literature's unit), per 1 for others. */
const perOf = (m: Marker): number => (m.unit === 'HU' ? 10 : 1);

function fitLogistic(
  m: Marker,
  pos: { id: string; v: number }[],
  neg: { id: string; v: number }[],
  covs: readonly Covariate[],
): BinaryMarkerResult['logistic'] {
  const rows = [...pos.map((p) => ({ ...p, y: 1 })), ...neg.map((p) => ({ ...p, y: 0 }))];
  const unadjusted = logistic(
    rows.map((r) => r.y),
    [{ name: m.id, values: rows.map((r) => r.v), per: perOf(m) }],
  );
  if (covs.length === 0) return { unadjusted, adjusted: null, covariates: [], excludedMissingCovariate: [] };
  const complete = rows.filter((r) => covs.every((c) => (c.values.get(r.id) ?? null) !== null));
  const excludedMissingCovariate = rows.filter((r) => !complete.includes(r)).map((r) => r.id);
  const adjusted: LogisticFit = logistic(
    complete.map((r) => r.y),
    [
      { name: m.id, values: complete.map((r) => r.v), per: perOf(m) },
      ...covs.map((c) => ({ name: c.column, values: complete.map((r) => c.values.get(r.id) as number), per: 1 })),
    ],
  );
  return { unadjusted, adjusted, covariates: covs.map((c) => c.column), excludedMissingCovariate };
}

function binaryMarker(
  m: Marker,
  out: Extract<OutcomeVar, { type: 'binary' }>,
  x: Values,
  ids: readonly string[],
  opts: AnalyzeOptions,
  covs: readonly Covariate[],
  file: string,
): BinaryMarkerResult {
  const { pos: p, neg: q, excluded } = split(ids, x, out.values);
  if (p.length < opts.minPerGroup || q.length < opts.minPerGroup) {
    throw new PerifatError(
      'E_INPUT_VALUE',
      `outcome ${safeText(out.column)}, marker ${m.id}: ${p.length} "${safeText(out.positive)}" and ${q.length} "${safeText(out.negative)}" cases with a value; at least ${opts.minPerGroup} per group are needed`,
      { file },
    );
  }
  const pos = p.map((r) => r.v);
  const neg = q.map((r) => r.v);
  const direction = opts.direction === 'auto' ? autoDirection(pos, neg) : opts.direction;
  const ci = aucWithCi(delongParts(oriented(pos, direction), oriented(neg, direction)));
  return {
    n: pos.length + neg.length,
    nPositive: pos.length,
    nNegative: neg.length,
    excluded,
    direction,
    directionFrom: opts.direction === 'auto' ? 'auto' : 'given',
    auc: ci.auc,
    aucSe: ci.se,
    aucCi95: ci.ci95,
    roc: rocCurve(pos, neg, direction),
    youden: youden(pos, neg, direction),
    published: publishedCutoffs(m).map((c) => ({
      id: c.id,
      source: c.source,
      ...accuracyAt(pos, neg, c.cutoff, '>='),
    })),
    user: opts.cutoffs.map((c) => accuracyAt(pos, neg, c, ruleOf(direction))),
    groups: { positive: describe(pos), negative: describe(neg) },
    welch: welch(pos, neg),
    mannWhitney: mannWhitney(pos, neg),
    logistic: fitLogistic(m, p, q, covs),
    values: { positive: pos, negative: neg },
  };
}

function compare(
  a: Marker,
  b: Marker,
  xa: Values,
  xb: Values,
  da: Direction,
  db: Direction,
  ids: readonly string[],
  y: Map<string, 0 | 1 | null>,
): Omit<PairedComparison, 'markers'> | string {
  const both = ids.filter((id) => (y.get(id) ?? null) !== null && xa.get(id) != null && xb.get(id) != null);
  const pos = both.filter((id) => y.get(id) === 1);
  const neg = both.filter((id) => y.get(id) === 0);
  if (pos.length < 2 || neg.length < 2) return `too few cases with both ${a.id} and ${b.id}`;
  const parts = (x: Values, d: Direction) =>
    delongParts(
      oriented(
        pos.map((id) => x.get(id) as number),
        d,
      ),
      oriented(
        neg.map((id) => x.get(id) as number),
        d,
      ),
    );
  const pa = parts(xa, da);
  const pb = parts(xb, db);
  const t = pairedDelong(pa, pb);
  return {
    n: both.length,
    nPositive: pos.length,
    nNegative: neg.length,
    auc: [pa.auc, pb.auc],
    diff: t.diff,
    diffCi95: t.ci95,
    z: t.z,
    p: t.p,
  };
}

function profiles(
  set: ResultSet,
  markers: readonly Marker[],
  ids: readonly string[],
  out: Extract<OutcomeVar, { type: 'binary' }>,
): Profile[] {
  if (set.kind !== 'reports') return [];
  const vessels: string[] = [];
  for (const m of markers) {
    if (
      (m.scope === 'vessel' || m.scope === 'lesion') &&
      !vessels.some((v) => v.toUpperCase() === (m.vessel as string).toUpperCase())
    ) {
      vessels.push(m.vessel as string);
    }
  }
  const byId = new Map(set.cases.map((c) => [c.id, c.report]));
  const group = (cls: 0 | 1) =>
    ids
      .filter((id) => out.values.get(id) === cls)
      .map((id) => byId.get(id))
      .filter((r) => r != null);
  return vessels.map((v) =>
    radialProfile(v, [
      { label: out.positive, class: 'positive', reports: group(1) },
      { label: out.negative, class: 'negative', reports: group(0) },
    ]),
  );
}

export function analyze(set: ResultSet, table: OutcomeTable, opts: AnalyzeOptions): Analysis {
  const warnings: string[] = [];
  const markers = [...new Map((opts.markers ?? defaultMarkers(set)).map((m) => [m.id, m])).values()];
  if (markers.length === 0) {
    throw new PerifatError(
      'E_USAGE',
      'the results have no coronary FAI or EAT density to analyse: name markers with --marker',
    );
  }
  for (const m of markers) checkMarker(m, set);
  const joined = joinCases(set, table);
  if (joined.ids.length === 0) {
    throw new PerifatError(
      'E_INPUT_VALUE',
      `no case id of the results is in column ${safeText(table.by)} (results: ${set.cases
        .slice(0, 3)
        .map((c) => safeText(c.id))
        .join(', ')}…)`,
      { file: table.file },
    );
  }
  if (joined.unmatchedResults.length > 0) {
    warnings.push(
      `${joined.unmatchedResults.length} measured case(s) have no outcome row: ${joined.unmatchedResults.map(safeText).join(', ')}`,
    );
  }
  if (joined.unmatchedOutcomes.length > 0) {
    warnings.push(
      `${joined.unmatchedOutcomes.length} outcome row(s) have no measured case: ${joined.unmatchedOutcomes.map(safeText).join(', ')}`,
    );
  }
  if (set.skipped.length > 0) warnings.push(`not perifat reports, skipped: ${set.skipped.map(safeText).join(', ')}`);
  const ids = joined.ids;
  const covs = opts.covariates.map((c) => readCovariate(table, c, ids));
  const values = new Map(markers.map((m) => [m.id, valuesOf(m, set, ids)]));
  const analysis: Analysis = {
    schema: ANALYSIS_SCHEMA,
    perifat: PERIFAT_VERSION,
    results: { kind: set.kind, cases: set.cases.length, skippedFiles: set.skipped },
    outcomes: {
      by: table.by,
      rows: table.rows.size,
      covariates: covs.map((c) => ({
        column: c.column,
        coding: c.coding.type === 'numeric' ? 'numeric' : `1 = "${c.coding.one}", 0 = "${c.coding.zero}"`,
      })),
    },
    join: {
      matched: ids.length,
      unmatchedResults: joined.unmatchedResults,
      unmatchedOutcomes: joined.unmatchedOutcomes,
    },
    markers: markers.map((m) => ({
      id: m.id,
      unit: m.unit,
      scope: m.scope,
      vessel: m.vessel,
      column: m.column,
      publishedCutoffs: publishedCutoffs(m).length > 0,
    })),
    binary: dict(),
    continuous: dict(),
    warnings,
  };

  for (const column of opts.outcomes) {
    const out = readOutcome(table, column, ids, opts.positive.get(column) ?? opts.positive.get('*'));
    if (out.type === 'binary') {
      const res: BinaryOutcomeResult = {
        positive: out.positive,
        negative: out.negative,
        markers: dict(),
        comparisons: [],
        profiles: [],
      };
      for (const m of markers) {
        const r = binaryMarker(m, out, values.get(m.id) as Values, ids, opts, covs, table.file);
        res.markers[m.id] = r;
        const ex = r.excluded;
        if (ex.missingMarker.length + ex.missingOutcome.length > 0) {
          warnings.push(
            `${safeText(column)} × ${m.id}: ${ex.missingMarker.length + ex.missingOutcome.length} of ${ids.length} joined cases excluded (${ex.missingMarker.length} without the marker, ${ex.missingOutcome.length} without the outcome)`,
          );
        }
        for (const [which, fit] of [
          ['unadjusted', r.logistic.unadjusted],
          ['adjusted', r.logistic.adjusted],
        ] as const) {
          if (fit && !fit.estimable)
            warnings.push(`${safeText(column)} × ${m.id}: ${which} logistic regression not estimable: ${fit.reason}`);
        }
      }
      for (let i = 0; i < markers.length; i++) {
        for (let j = i + 1; j < markers.length; j++) {
          const a = markers[i] as Marker;
          const b = markers[j] as Marker;
          const c = compare(
            a,
            b,
            values.get(a.id) as Values,
            values.get(b.id) as Values,
            (res.markers[a.id] as BinaryMarkerResult).direction,
            (res.markers[b.id] as BinaryMarkerResult).direction,
            ids,
            out.values,
          );
          if (typeof c === 'string')
            warnings.push(`${safeText(column)}: no paired comparison of ${a.id} and ${b.id}: ${c}`);
          else res.comparisons.push({ markers: [a.id, b.id], ...c });
        }
      }
      res.profiles = profiles(set, markers, ids, out);
      analysis.binary[column] = res;
    } else {
      const res = dict<ContinuousMarkerResult>();
      for (const m of markers) {
        const x = values.get(m.id) as Values;
        const missingOutcome = ids.filter((id) => (out.values.get(id) ?? null) === null);
        const missingMarker = ids.filter((id) => (out.values.get(id) ?? null) !== null && (x.get(id) ?? null) === null);
        const keep = ids.filter((id) => (out.values.get(id) ?? null) !== null && (x.get(id) ?? null) !== null);
        const xs = keep.map((id) => x.get(id) as number);
        const ys = keep.map((id) => out.values.get(id) as number);
        if (keep.length < opts.minPerGroup) {
          throw new PerifatError(
            'E_INPUT_VALUE',
            `outcome ${safeText(column)}, marker ${m.id}: ${keep.length} cases with both values; at least ${opts.minPerGroup} are needed`,
            { file: table.file },
          );
        }
        for (const [what, v] of [
          [`marker ${m.id}`, xs],
          [`outcome ${safeText(column)}`, ys],
        ] as const) {
          if (!(variance(v) > 0)) {
            throw new PerifatError(
              'E_INPUT_VALUE',
              `${what} is constant over the ${keep.length} cases: no correlation`,
              {
                file: table.file,
              },
            );
          }
        }
        res[m.id] = {
          n: keep.length,
          excluded: { missingMarker, missingOutcome },
          pearson: pearson(xs, ys),
          spearman: spearman(xs, ys),
          values: { marker: xs, outcome: ys },
        };
      }
      analysis.continuous[column] = { markers: res };
    }
  }
  return analysis;
}

/** JSON for analysis.json: non-finite numbers (a t of a constant marker) become null, never NaN text. */
export function analysisJson(a: Analysis): string {
  return `${JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`;
}
