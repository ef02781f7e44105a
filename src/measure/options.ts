/**
 * Every default of the measurement (shared METHOD.md), overridable through one options object.
 */
import { PerifatError } from '../errors';
import { DEFAULT_FAT_WINDOW, type FatWindow } from '../stats/fat-window';
import { checkOptionKeys, checkOptionShapes } from './option-checks';

export interface FlagRule {
  readonly id: string;
  /** Flag when the value (120 kVp-equivalent when known) is ≥ threshold. */
  readonly threshold: number;
  readonly source: string;
  readonly appliesTo: 'vessel' | 'lesion';
  /**
   * Vessel names (case-insensitive) a vessel rule applies to; absent = every vessel. The published
   * FAI cut-offs were derived on the proximal RCA, LAD and LCx, so the defaults stop there (a
   * periaortic or other vessel gets its numbers, not a coronary risk flag).
   */
  readonly vessels?: readonly string[];
}

const CORONARY = ['RCA', 'LAD', 'LCX'] as const;

/** METHOD.md §6. */
export const DEFAULT_FLAGS: readonly FlagRule[] = [
  {
    id: 'high-fai-cardiac-mortality',
    threshold: -70.1,
    source: 'Oikonomou 2018 (CRISP-CT)',
    appliesTo: 'vessel',
    vessels: CORONARY,
  },
  { id: 'plaque-progression-risk', threshold: -75, source: 'Goeller 2019', appliesTo: 'vessel', vessels: CORONARY },
  { id: 'minoca-takotsubo-like', threshold: -70.83, source: 'Gaibazzi 2019', appliesTo: 'vessel', vessels: CORONARY },
  { id: 'culprit-lesion-like', threshold: -68.2, source: 'Goeller 2018', appliesTo: 'lesion', vessels: CORONARY },
];

/** METHOD.md §5: HU(kVp) = HU(120) · f(kVp), phantom factors of Etter et al. 2023. */
export const DEFAULT_KVP_FACTORS: Readonly<Record<number, number>> = { 80: 1.267, 100: 1.08, 120: 1.0, 140: 0.947 };

/** METHOD.md §4 (Oikonomou 2018 / Antonopoulos 2017), keyed by upper-case vessel name. */
export const DEFAULT_SEGMENTS_MM: Readonly<Record<string, readonly [number, number]>> = {
  RCA: [10, 50],
  LAD: [0, 40],
  LCX: [0, 40],
};

export type AxialLimits =
  | { readonly unit: 'slice'; readonly from: number; readonly to: number }
  | { readonly unit: 'mm'; readonly from: number; readonly to: number };

export interface MeasureOptions {
  readonly window: FatWindow;
  /** Per-vessel segment overrides by name (case-insensitive); vessels without one use the defaults. */
  readonly segmentsMm: Readonly<Record<string, readonly [number, number]>>;
  readonly wallGapMm: number;
  readonly calciumGuardMm: number | null;
  readonly calciumHu: number;
  /** Overrides the CT's KVP tag. */
  readonly kvp: number | null;
  readonly kvpFactors: Readonly<Record<number, number>>;
  /** EAT axial limits: slice indices (inclusive) or LPS z in mm (inclusive), or null for all. */
  readonly axialLimits: AxialLimits | null;
  readonly flags: readonly FlagRule[];
  /**
   * The pericardium's label in a multi-label map (a map with several labels and none chosen is
   * refused); null: a binary mask, every non-zero voxel.
   */
  readonly pericardiumLabel: number | null;
  /** Plausibility warnings (a centerline off the lumen, an empty region …) become errors. */
  readonly strict: boolean;
}

export const DEFAULT_OPTIONS: MeasureOptions = {
  window: DEFAULT_FAT_WINDOW,
  segmentsMm: {},
  wallGapMm: 0,
  calciumGuardMm: null,
  calciumHu: 130,
  kvp: null,
  kvpFactors: DEFAULT_KVP_FACTORS,
  axialLimits: null,
  flags: DEFAULT_FLAGS,
  pericardiumLabel: null,
  strict: false,
};

/**
 * Physical ranges of the options (METHOD.md's quantities): a value outside is refused with
 * E_OPTIONS naming it, before any work.
 */
export const OPTION_RANGES = {
  kvp: [70, 150],
  wallGapMm: [0, 10],
  calciumGuardMm: [0, 10],
  fatWindowHu: [-1024, 3071],
} as const;

export function withDefaults(o: Partial<MeasureOptions> = {}): MeasureOptions {
  checkOptionKeys(o);
  const merged: MeasureOptions = {
    ...DEFAULT_OPTIONS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  };
  validateOptions(merged);
  return merged;
}

function inRange(name: string, v: number, [lo, hi]: readonly [number, number], unit: string): void {
  if (!(Number.isFinite(v) && v >= lo && v <= hi)) {
    throw new PerifatError('E_OPTIONS', `${name} must be ${lo}–${hi} ${unit}, got ${v}`);
  }
}

export function validateOptions(o: MeasureOptions): void {
  checkOptionShapes(o);
  if (o.kvp !== null) inRange('kvp', o.kvp, OPTION_RANGES.kvp, 'kVp');
  if (
    o.pericardiumLabel !== null &&
    !(Number.isInteger(o.pericardiumLabel) && o.pericardiumLabel >= 1 && o.pericardiumLabel <= 255)
  )
    throw new PerifatError('E_OPTIONS', `pericardium label must be an integer 1–255, got ${o.pericardiumLabel}`);
  inRange('wallGapMm', o.wallGapMm, OPTION_RANGES.wallGapMm, 'mm');
  if (o.calciumGuardMm !== null) inRange('calciumGuardMm', o.calciumGuardMm, OPTION_RANGES.calciumGuardMm, 'mm');
  for (const [k, v] of [
    ['fat window low', o.window.lo],
    ['fat window high', o.window.hi],
  ] as const) {
    inRange(k, v, OPTION_RANGES.fatWindowHu, 'HU');
  }
  for (const [name, seg] of Object.entries(o.segmentsMm)) {
    if (!(seg[0] >= 0 && seg[1] > seg[0] && Number.isFinite(seg[0])))
      throw new PerifatError('E_OPTIONS', `segment of ${name} must be 0 ≤ s0 < s1 mm, got [${seg[0]}, ${seg[1]}]`);
  }
}

/** Segment of a vessel: user override, else the default for its name, else the whole vessel. */
export function segmentFor(name: string, o: MeasureOptions): readonly [number, number] {
  const key = name.toUpperCase();
  for (const [k, v] of Object.entries(o.segmentsMm)) if (k.toUpperCase() === key) return v;
  return DEFAULT_SEGMENTS_MM[key] ?? [0, Number.POSITIVE_INFINITY];
}
