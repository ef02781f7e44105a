/**
 * `perifat-analysis/1`: what `perifat analyze` writes to analysis.json. Keys other tools read:
 *   binary[OUTCOME].markers[MARKER].auc, .aucCi95 ([low, high], DeLong), .youden.{cutoff, rule,
 *   sensitivity, specificity, …}; continuous[OUTCOME].markers[MARKER].pearson / .spearman.
 * More keys may be added; none renamed without a schema bump. Case ids are the only identifiers.
 */
import type { Accuracy } from './cutoff';
import type { Summary } from './describe';
import type { MannWhitneyResult, WelchResult } from './group-tests';
import type { Correlation } from './correlation';
import type { LogisticFit } from './logistic';
import type { Direction, RocPoint } from './roc';

export const ANALYSIS_SCHEMA = 'perifat-analysis/1';

export interface Exclusions {
  /** Joined cases without a value of the marker (no such vessel, lesion or an empty cell). */
  missingMarker: string[];
  /** Joined cases without an outcome value. */
  missingOutcome: string[];
}

export interface CutoffResult extends Accuracy {
  id: string;
  source: string;
}

export interface BinaryMarkerResult {
  n: number;
  nPositive: number;
  nNegative: number;
  excluded: Exclusions;
  /** 'higher': higher values mean the positive class; chosen by --direction or pROC's median rule. */
  direction: Direction;
  directionFrom: 'given' | 'auto';
  auc: number;
  aucSe: number;
  /** DeLong, clipped to [0, 1]. */
  aucCi95: [number, number];
  roc: RocPoint[];
  /** Youden-optimal cut-off; a case is positive when value `rule` cutoff ('>=' for 'higher'). */
  youden: Accuracy;
  /** METHOD.md §6 cut-offs (coronary FAI markers only), each positive when value ≥ cut-off. */
  published: CutoffResult[];
  /** --cutoff values, with the marker's direction rule. */
  user: Accuracy[];
  groups: { positive: Summary; negative: Summary };
  welch: WelchResult;
  mannWhitney: MannWhitneyResult;
  logistic: {
    unadjusted: LogisticFit;
    adjusted: LogisticFit | null;
    covariates: string[];
    excludedMissingCovariate: string[];
  };
  /** The values, for plots. */
  values: { positive: number[]; negative: number[] };
}

export interface PairedComparison {
  markers: [string, string];
  n: number;
  nPositive: number;
  nNegative: number;
  auc: [number, number];
  /** DeLong's test for two correlated AUCs: auc[0] − auc[1]. */
  diff: number;
  diffCi95: [number, number];
  z: number;
  p: number;
}

export interface RingBand {
  innerMm: number;
  outerMm: number;
  n: number;
  mean: number | null;
  sd: number | null;
  /** 95 % interval of the mean (t with n − 1 df). */
  ci95: [number, number] | null;
}

export interface Profile {
  vessel: string;
  groups: { label: string; class: 'positive' | 'negative'; cases: number; rings: RingBand[] }[];
}

export interface BinaryOutcomeResult {
  positive: string;
  negative: string;
  markers: Record<string, BinaryMarkerResult>;
  comparisons: PairedComparison[];
  /** Mean fat HU per 1 mm ring from the wall (0–20 mm) by group; JSON reports only. */
  profiles: Profile[];
}

export interface ContinuousMarkerResult {
  n: number;
  excluded: Exclusions;
  pearson: Correlation;
  spearman: Correlation;
  values: { marker: number[]; outcome: number[] };
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  perifat: string;
  results: { kind: 'reports' | 'csv'; cases: number; skippedFiles: string[] };
  outcomes: { by: string; rows: number; covariates: { column: string; coding: string }[] };
  join: { matched: number; unmatchedResults: string[]; unmatchedOutcomes: string[] };
  markers: {
    id: string;
    unit: 'HU' | null;
    scope: string;
    vessel: string | null;
    column: string | null;
    publishedCutoffs: boolean;
  }[];
  binary: Record<string, BinaryOutcomeResult>;
  continuous: Record<string, { markers: Record<string, ContinuousMarkerResult> }>;
  warnings: string[];
}
