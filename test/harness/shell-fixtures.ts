/**
 * Shared fixtures of the distance/shell suites (unit and GPU): CT geometries, prepared vessels, and
 * an f64 brute-force oracle of the whole pericoronary labelling (METHOD.md §4 read literally: exact
 * nearest point over every segment with the oracle's arithmetic, calcium distances by hypot). The
 * engine's float64 path must equal it exactly; only voxels within `tol` mm of the calcium guard
 * are reported ambiguous, since the oracle measures that distance another way.
 */
import {
  RING_COUNT,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../../src/measure/pericoronary-types';
import { nearestOnPolylineBrute } from '../oracles/nearest-brute';
import { layerLesions } from '../../src/shells/plan';
import { DEFAULT_FAT_WINDOW } from '../../src/stats/fat-window';
import { IDENTITY3, type Mat3, type Vec3, voxelToWorld } from '../../src/volume/geometry';
import type { CtVolume } from '../../src/volume/volume';
import { arcLengths } from '../../src/volume/vessels';
import { rng } from '../helpers/random';

export type Int16Ct = CtVolume & { hu: Int16Array };

export function makeCt(
  dims: Vec3,
  spacing: Vec3,
  hu: Int16Array,
  origin: Vec3 = [0, 0, 0],
  direction: Mat3 = IDENTITY3,
): Int16Ct {
  return { dims, spacing, origin, direction, hu, kvp: 120, source: 'test' };
}

export function fatNoise(n: number, seed: number): Int16Array {
  const r = rng(seed);
  const hu = new Int16Array(n);
  for (let i = 0; i < n; i++) hu[i] = r() < 0.7 ? -190 + Math.floor(r() * 161) : Math.floor(r() * 400) - 100;
  return hu;
}

export function vessel(
  name: string,
  index: number,
  points: Vec3[],
  radii: number[] | number,
  segmentMm: [number, number] = [0, 1e9],
): PreparedVessel {
  return {
    name,
    index,
    points,
    radii: typeof radii === 'number' ? points.map(() => radii) : radii,
    arcMm: arcLengths(points),
    segmentMm,
  };
}

/** Polyline samples of a curve, every `step` mm of parameter. */
export function curve(fn: (u: number) => Vec3, u0: number, u1: number, count: number): Vec3[] {
  return Array.from({ length: count }, (_, i) => fn(u0 + ((u1 - u0) * i) / (count - 1)));
}

export const OPTS: ShellOptions = { window: DEFAULT_FAT_WINDOW, wallGapMm: 0, calciumGuardMm: null, calciumHu: 130 };

/**
 * Two curved vessels in fat noise with four calcium specks: an arc (RCA, tapering, segment
 * 10–25 mm) and a wavy line (LAD), with overlapping lesions on the arc (8–16 and 14–20 mm, so two
 * lesion layers) and one on the LAD. `arcZ` places the arc in z, `lad` the wavy line in y and z (mm).
 */
export function twoCurvedVessels(o: {
  dims: Vec3;
  seed: number;
  origin: Vec3;
  direction?: Mat3;
  arcZ: number;
  lad: [y: number, z: number];
}): { ct: Int16Ct; vessels: PreparedVessel[]; lesions: PreparedLesion[] } {
  const hu = fatNoise(o.dims[0] * o.dims[1] * o.dims[2], o.seed);
  for (const v of [5000, 9001, 15000, 20111]) hu[v] = 400;
  const ct = makeCt(o.dims, [0.6, 0.6, 0.9], hu, o.origin, o.direction);
  const arc = curve((u) => [12 + 25 * Math.cos(u), -12 + 25 * Math.sin(u), o.arcZ + 4 * u], 0.9, 2.2, 40);
  const wavy = curve((u) => [2 + u, o.lad[0] + 3 * Math.sin(u / 4), o.lad[1] + 0.2 * u], -4, 30, 60);
  const vessels = [
    vessel(
      'RCA',
      0,
      arc,
      arc.map((_, i) => 1.8 - i * 0.02),
      [10, 25],
    ),
    vessel('LAD', 1, wavy, 1.2, [0, 40]),
  ];
  const lesions = [
    { vesselIndex: 0, startMm: 8, endMm: 16 },
    { vesselIndex: 0, startMm: 14, endMm: 20 },
    { vesselIndex: 1, startMm: 3, endMm: 9 },
  ];
  return { ct, vessels, lesions };
}

export interface OracleLayers {
  voi: Uint8Array;
  rings: Uint8Array;
  lesions: Uint8Array[];
  /** 1 where the voxel's calcium distance is within tol of the guard. */
  ambiguous: Uint8Array;
  /** Per vessel: brute d of every crop voxel (for distance checks). */
  d: Float64Array[];
}

export function oracleLayers(
  ct: Int16Ct,
  crop: { lo: Vec3; hi: Vec3 },
  vessels: readonly PreparedVessel[],
  lesions: readonly PreparedLesion[],
  opts: ShellOptions,
  tol = 1e-9,
): OracleLayers {
  const dims = crop.hi.map((h, c) => h - crop.lo[c]!) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  const voi = new Uint8Array(n);
  const rings = new Uint8Array(n);
  const { entries, layerCount } = layerLesions(vessels, lesions);
  const lesionOut = Array.from({ length: layerCount }, () => new Uint8Array(n));
  const ambiguous = new Uint8Array(n);
  const dOut = vessels.map(() => new Float64Array(n));
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= tol;
  // Calcium: voxels ≥ calciumHu outside every lumen, anywhere in the CT.
  const world = (i: number, j: number, k: number): Vec3 => voxelToWorld(ct, [i, j, k]);
  const geomOf = (p: Vec3) => vessels.map((v) => nearestOnPolylineBrute(v.points, v.radii, v.arcMm, p));
  const calcium: Vec3[] = [];
  if (opts.calciumGuardMm) {
    const [nx, ny, nz] = ct.dims;
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          if ((ct.hu[i + nx * (j + ny * k)] as number) < opts.calciumHu) continue;
          const p = world(i, j, k);
          if (geomOf(p).every((g) => g.w > 0)) calcium.push(p);
        }
  }
  let c = 0;
  for (let k = crop.lo[2]; k < crop.hi[2]; k++)
    for (let j = crop.lo[1]; j < crop.hi[1]; j++)
      for (let i = crop.lo[0]; i < crop.hi[0]; i++, c++) {
        const p = world(i, j, k);
        const g = geomOf(p);
        g.forEach((x, vi) => ((dOut[vi] as Float64Array)[c] = x.d));
        if (g.some((x) => x.w <= 0)) continue;
        let o = -1;
        g.forEach((x, vi) => {
          if (o < 0 || x.w < (g[o] as { w: number }).w) o = vi;
        });
        if (o < 0) continue;
        const b = g[o] as { w: number; s: number; r: number };
        if (opts.calciumGuardMm) {
          let dc = Infinity;
          for (const q of calcium) dc = Math.min(dc, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
          if (near(dc, opts.calciumGuardMm)) ambiguous[c] = 1;
          if (dc <= opts.calciumGuardMm) continue;
        }
        if (b.w <= opts.wallGapMm) continue;
        const v = vessels[o] as PreparedVessel;
        const inSeg = b.s >= v.segmentMm[0] && b.s <= v.segmentMm[1];
        const inVoi = b.w <= 2 * b.r;
        if (inSeg && inVoi) voi[c] = 1 + o;
        const kk = Math.ceil(b.w) - 1;
        if (inSeg && kk >= 0 && kk < RING_COUNT) rings[c] = 1 + o * RING_COUNT + kk;
        if (inVoi) {
          for (const l of entries) {
            if (l.vessel === o && b.s >= l.start && b.s <= l.end) (lesionOut[l.layer] as Uint8Array)[c] = l.label;
          }
        }
      }
  return { voi, rings, lesions: lesionOut, ambiguous, d: dOut };
}

/** Voxels where two layers differ, ignoring ambiguous voxels. */
export function mismatches(a: Uint8Array, b: Uint8Array, ambiguous?: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(ambiguous && ambiguous[i])) m++;
  return m;
}

export function randomMask(n: number, density: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => (r() < density ? 1 : 0));
}
