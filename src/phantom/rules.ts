/**
 * The METHOD.md defaults the truth applies (written out here on purpose, not imported from the
 * engine, so the oracle stays independent of the code it checks).
 */
import type { Flag } from '../measure/report-types';

export const DEFAULT_FAT_WINDOW: [number, number] = [-190, -30];

/** Etter et al. 2023: fat HU at kVp = f(kVp) · fat HU at 120 kVp. */
export const DEFAULT_KVP_FACTORS: Readonly<Record<number, number>> = { 80: 1.267, 100: 1.08, 120: 1.0, 140: 0.947 };

/** Oikonomou 2018 / Antonopoulos 2017 proximal segments, by vessel name (case-insensitive). */
const DEFAULT_SEGMENTS: Readonly<Record<string, [number, number]>> = {
  rca: [10, 50],
  lad: [0, 40],
  lcx: [0, 40],
};

/** Segment of a vessel: the user's (exact name) first, then the defaults, else the whole vessel. */
export function segmentFor(
  name: string,
  lengthMm: number,
  user: Record<string, [number, number]> | undefined,
): [number, number] {
  const given = user?.[name];
  if (given) return [given[0], given[1]];
  const def = DEFAULT_SEGMENTS[name.toLowerCase()];
  if (def) return [def[0], def[1]];
  // [0, ∞) is the rule; s never exceeds the vessel length, so [0, length] selects the same voxels
  // and stays JSON-safe (Infinity would serialise as null).
  return [0, lengthMm];
}

export function kvpFactor(kvp: number | null, table: Readonly<Record<number, number>>): number | null {
  if (kvp === null) return null;
  const f = table[kvp];
  return f === undefined ? null : f;
}

/** value / f, null when either is missing. */
export function to120(value: number | null, factor: number | null): number | null {
  return value === null || factor === null ? null : value / factor;
}

interface FlagRule {
  id: string;
  threshold: number;
  source: string;
}

const VESSEL_FLAGS: readonly FlagRule[] = [
  { id: 'high-fai-cardiac-mortality', threshold: -70.1, source: 'Oikonomou 2018 (CRISP-CT)' },
  { id: 'plaque-progression-risk', threshold: -75, source: 'Goeller 2019' },
  { id: 'minoca-takotsubo-like', threshold: -70.83, source: 'Gaibazzi 2019' },
];

const LESION_FLAGS: readonly FlagRule[] = [{ id: 'culprit-lesion-like', threshold: -68.2, source: 'Goeller 2018' }];

/** Triggered flags; the value compared is the 120-kVp FAI when known, else the raw FAI. */
function flagsFor(rules: readonly FlagRule[], raw: number | null, at120: number | null): Flag[] {
  const value = at120 ?? raw;
  if (value === null) return [];
  return rules
    .filter((r) => value >= r.threshold)
    .map((r) => ({ id: r.id, threshold: r.threshold, value, source: r.source }));
}

/** METHOD.md §6: the cut-offs were derived on coronaries, so only RCA, LAD, LCx (any case) are flagged. */
const isCoronary = (name: string): boolean => ['RCA', 'LAD', 'LCX'].includes(name.toUpperCase());

export const vesselFlags = (name: string, raw: number | null, at120: number | null): Flag[] =>
  isCoronary(name) ? flagsFor(VESSEL_FLAGS, raw, at120) : [];
export const lesionFlags = (vessel: string, raw: number | null, at120: number | null): Flag[] =>
  isCoronary(vessel) ? flagsFor(LESION_FLAGS, raw, at120) : [];
