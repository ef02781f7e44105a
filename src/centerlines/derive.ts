/**
 * One entry for every way perifat derives centerlines itself — from a coronary mask (TEASAR on the
 * EDT, from-mask.ts) or traced on the CT from a few points (trace.ts) — and what a report records of
 * a derivation, so a rerun with `--vessels` reproduces it. The EDT is injected: the measurement's
 * backend supplies its own (the GPU kernel or its CPU twin, identical in f32), so every backend
 * derives the same centerlines.
 */
import { PerifatError } from '../errors';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { VesselSet } from '../volume/vessels';
import { type EdtFn, centerlinesFromMask } from './from-mask';
import { traceCenterlines } from './trace';
import type { TraceRequest } from './trace-spec';
import type { DerivedCenterlines } from './types';

/** What to derive centerlines from: a coronary mask (with an optional aorta mask), or traces. */
export interface CenterlineRequest {
  /** Binary (or vessel-labelled) coronary lumen mask on the CT grid. */
  readonly coronaryMask?: LabelVolume | null;
  /** Aorta mask on the CT grid: the ostia are where the coronary trees meet it. */
  readonly aorta?: LabelVolume | null;
  /** Labels of a multi-label coronary mask that already name vessels. */
  readonly labelNames?: Readonly<Record<number, string>>;
  /** Vessels traced on the CT: ostium first, waypoints, distal end last (LPS mm). */
  readonly trace?: readonly TraceRequest[];
}

/**
 * Coordinates and radii are rounded to 1 nm. The EDT is bit-identical on every backend, but the
 * refinement's transcendental functions (Math.sin, Math.exp …) may differ in the last bit between
 * JavaScript engines (Node's V8 and a browser's): rounding far below any meaningful precision makes
 * the centerlines — and so every voxel's ownership — the same wherever they were derived.
 */
const NM = 1e6;
const nm = (x: number): number => Math.round(x * NM) / NM;

/**
 * `ct` may be null for a coronary mask with an aorta mask: the HU are then not needed (the grid was
 * checked when the masks were read), and a caller may skip reading them.
 */
export async function deriveCenterlines(
  ct: CtVolume | null,
  req: CenterlineRequest,
  edt: EdtFn,
  signal?: AbortSignal,
): Promise<DerivedCenterlines> {
  const d = await deriveRaw(ct, req, edt, signal);
  return {
    ...d,
    vessels: d.vessels.map((v) => ({
      name: v.name,
      points: v.points.map((p) => [nm(p[0]), nm(p[1]), nm(p[2])]),
      radii: v.radii.map(nm),
    })),
  };
}

function deriveRaw(
  ct: CtVolume | null,
  req: CenterlineRequest,
  edt: EdtFn,
  signal: AbortSignal | undefined,
): Promise<DerivedCenterlines> {
  if (req.coronaryMask && req.trace?.length)
    throw new PerifatError('E_OPTIONS', 'give a coronary mask or traces, not both');
  if (req.coronaryMask) {
    return centerlinesFromMask(ct, req.coronaryMask, {
      edt,
      ...(req.aorta ? { aorta: req.aorta } : {}),
      ...(req.labelNames ? { labelNames: { ...req.labelNames } } : {}),
      ...(signal ? { signal } : {}),
    });
  }
  if (req.trace?.length) {
    if (!ct) throw new PerifatError('E_OPTIONS', 'tracing needs the CT itself');
    return traceCenterlines(ct, [...req.trace], { edt, ...(signal ? { signal } : {}) });
  }
  throw new PerifatError('E_OPTIONS', 'no coronary mask and no traces to derive centerlines from');
}

/** The derived vessels as the set a measurement takes (no lesions: they are added by the caller). */
export function derivedVesselSet(d: DerivedCenterlines, source: string): VesselSet {
  return { vessels: d.vessels, lesions: [], source };
}

/** The report's record of a derivation (perifat-report/1 `centerlines`). */
export interface CenterlinesRecord {
  readonly derived: true;
  readonly method: DerivedCenterlines['method'];
  readonly ostia: DerivedCenterlines['ostia'];
  readonly warnings: { code: string; message: string; vessel?: string }[];
  readonly stats: Readonly<Record<string, number>>;
  /** The polylines measured, as `perifat-vessels/1` (LPS): write it out to rerun with --vessels. */
  readonly vessels: {
    readonly schema: 'perifat-vessels/1';
    readonly space: 'LPS';
    readonly vessels: { name: string; points: number[][]; radii: number[] }[];
  };
}

/** A derivation's timings (stats named ms…): they go to a report's timingsMs, not its record. */
export function derivationTimings(d: DerivedCenterlines): Record<string, number> {
  return Object.fromEntries(Object.entries(d.stats).filter(([k]) => /^ms[A-Z]/.test(k)));
}

/** The record a report keeps: deterministic (the same inputs give the same record), no timings. */
export function centerlinesRecord(d: DerivedCenterlines): CenterlinesRecord {
  return {
    derived: true,
    method: d.method,
    ostia: d.ostia,
    warnings: d.warnings.map((w) => ({ ...w })),
    stats: Object.fromEntries(Object.entries(d.stats).filter(([k]) => !/^ms[A-Z]/.test(k))),
    vessels: vesselsDocument(d),
  };
}

/**
 * `perifat-vessels/1` of the derived vessels (what `perifat centerlines --out` writes). Numbers are
 * not rounded: JSON carries every double exactly, so reading it back measures the very same lines.
 */
export function vesselsDocument(d: Pick<DerivedCenterlines, 'vessels'>): CenterlinesRecord['vessels'] {
  return {
    schema: 'perifat-vessels/1',
    space: 'LPS',
    vessels: d.vessels.map((v) => ({
      name: v.name,
      points: v.points.map((p) => [...p]),
      radii: [...v.radii],
    })),
  };
}
