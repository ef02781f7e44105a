/**
 * Shared fixtures of the distance/shell suites (unit and GPU): CT geometries, prepared vessels, and
 * an f64 brute-force oracle of the whole pericoronary labelling (METHOD.md §4 read literally: exact
 * nearest point over every segment with the oracle's arithmetic, every vessel at the smallest w an
 * owner, calcium distances by hypot). The
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
  spacing?: Vec3;
}): { ct: Int16Ct; vessels: PreparedVessel[]; lesions: PreparedLesion[] } {
  const hu = fatNoise(o.dims[0] * o.dims[1] * o.dims[2], o.seed);
  for (const v of [5000, 9001, 15000, 20111]) hu[v] = 400;
  const ct = makeCt(o.dims, o.spacing ?? [0.6, 0.6, 0.9], hu, o.origin, o.direction);
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

/**
 * A left-coronary-like tree given from one ostium: a straight stem of `stemMm` (14 mm) repeated
 * point for point (and radius for radius) at the start of LAD, LCx and RI, then three curved
 * branches leaving it at wide angles. Every voxel whose nearest point lies on the stem ties exactly
 * between the three (METHOD.md §4: it counts for each). Lesions: on LAD 2.1–8.3 mm and LCx
 * 4.2–10.1 mm (overlapping on the stem, so two lesion layers), on RI 1.3–3.3 mm and, past the stem,
 * 20.2–24.1 mm (ends off the stem's joints, every 0.5 mm, where s is uncertain over a wide slab).
 * `order` lists the vessels (indices into [LAD, LCx, RI]) in the order they are given.
 */
export function stemTree(
  order: readonly number[] = [0, 1, 2],
  seed = 41,
): { ct: Int16Ct; vessels: PreparedVessel[]; lesions: PreparedLesion[]; stemMm: number } {
  const dims: Vec3 = [48, 44, 32];
  const ct = makeCt(dims, [0.5, 0.5, 0.7], fatNoise(dims[0] * dims[1] * dims[2], seed), [0, 0, 0]);
  const stemMm = 14;
  const o: Vec3 = [4, 11, 8];
  const dir: Vec3 = [0.9, 0.3, 0.3162];
  const n = Math.hypot(...dir);
  const stem = curve((u) => [o[0] + (u * dir[0]) / n, o[1] + (u * dir[1]) / n, o[2] + (u * dir[2]) / n], 0, stemMm, 29);
  const end = stem[stem.length - 1]!;
  const branch = (a: Vec3, b: Vec3): Vec3[] =>
    curve(
      (u) => [end[0] + u * a[0] + 0.04 * u * u * b[0], end[1] + u * a[1] + 0.04 * u * u * b[1], end[2] + u * a[2]],
      0,
      12,
      25,
    ).slice(1);
  const stemR = stem.map((_, i) => 1.7 - 0.01 * i);
  const tip = stemR[stemR.length - 1]!;
  const specs: [string, Vec3, Vec3][] = [
    ['LAD', [0.3, 0.9, 0.3], [1, -0.5, 0]],
    ['LCx', [0.5, -0.85, 0.1], [-0.4, 0.6, 0]],
    ['RI', [0.95, 0.1, -0.3], [0, 1, 0]],
  ];
  const all = specs.map(([name, a, b]) => {
    const pts = branch(a, b);
    return { name, points: [...stem, ...pts], radii: [...stemR, ...pts.map((_, i) => tip - 0.02 * (i + 1))] };
  });
  const vessels = order.map((k, index) => {
    const v = all[k]!;
    return vessel(v.name, index, v.points, v.radii, [0, 40]);
  });
  const byName = (name: string) => vessels.findIndex((v) => v.name === name);
  const lesions = [
    { vessel: 'LAD', startMm: 2.1, endMm: 8.3 },
    { vessel: 'LCx', startMm: 4.2, endMm: 10.1 },
    { vessel: 'RI', startMm: 1.3, endMm: 3.3 },
    { vessel: 'RI', startMm: 20.2, endMm: 24.1 },
  ]
    .filter((l) => byName(l.vessel) >= 0)
    .map((l) => ({ vesselIndex: byName(l.vessel), startMm: l.startMm, endMm: l.endMm }));
  return { ct, vessels, lesions, stemMm };
}

export interface OracleLayers {
  /** Tie layer 0: the labels of each voxel's lowest-index owner. */
  voi: Uint8Array;
  rings: Uint8Array;
  lesions: Uint8Array[];
  /** Tie layers 1…: the labels of the voxels' second, third … owner at an exact tie of w. */
  ties: { voi: Uint8Array; rings: Uint8Array }[];
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
  const ties: { voi: Uint8Array; rings: Uint8Array }[] = [];
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
        // Owners: every vessel at the smallest w (an exact tie counts for each, METHOD.md §4).
        const wMin = Math.min(...g.map((x) => x.w));
        const owners = g.flatMap((x, vi) => (x.w === wMin ? [vi] : []));
        if (owners.length === 0) continue;
        if (opts.calciumGuardMm) {
          let dc = Infinity;
          for (const q of calcium) dc = Math.min(dc, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
          if (near(dc, opts.calciumGuardMm)) ambiguous[c] = 1;
          if (dc <= opts.calciumGuardMm) continue;
        }
        if (wMin <= opts.wallGapMm) continue;
        const hits: (typeof entries)[number][] = [];
        owners.forEach((o, t) => {
          const b = g[o] as { w: number; s: number; r: number };
          const v = vessels[o] as PreparedVessel;
          const inSeg = b.s >= v.segmentMm[0] && b.s <= v.segmentMm[1];
          const inVoi = b.w <= 2 * b.r;
          const kk = Math.ceil(b.w) - 1;
          const voiLabel = inSeg && inVoi ? 1 + o : 0;
          const ringLabel = inSeg && kk >= 0 && kk < RING_COUNT ? 1 + o * RING_COUNT + kk : 0;
          if (voiLabel || ringLabel) {
            while (ties.length < t) ties.push({ voi: new Uint8Array(n), rings: new Uint8Array(n) });
            const layer = t === 0 ? { voi, rings } : ties[t - 1]!;
            layer.voi[c] = voiLabel;
            layer.rings[c] = ringLabel;
          }
          if (inVoi) for (const l of entries) if (l.vessel === o && b.s >= l.start && b.s <= l.end) hits.push(l);
        });
        // Lesion labels in lesion order, each in its planned layer, else the first free one (a new one if none).
        for (const l of hits.sort((a, b) => a.label - b.label)) {
          let target = lesionOut[l.layer];
          if (!target || target[c] !== 0) target = lesionOut.find((x) => x[c] === 0);
          if (!target) lesionOut.push((target = new Uint8Array(n)));
          target[c] = l.label;
        }
      }
  return { voi, rings, lesions: lesionOut, ties, ambiguous, d: dOut };
}

/**
 * Voxels where two sets of tie layers (layer 0 = voi/rings, then `ties`) differ, layer by layer, a
 * missing layer reading as zeros; ambiguous voxels ignored.
 */
export function tieMismatches(
  a: { voi: Uint8Array; rings: Uint8Array; ties?: readonly { voi: Uint8Array; rings: Uint8Array }[] },
  b: { voi: Uint8Array; rings: Uint8Array; ties?: readonly { voi: Uint8Array; rings: Uint8Array }[] },
  ambiguous?: Uint8Array,
): number {
  const la = [{ voi: a.voi, rings: a.rings }, ...(a.ties ?? [])];
  const lb = [{ voi: b.voi, rings: b.rings }, ...(b.ties ?? [])];
  const zero = new Uint8Array(a.voi.length);
  let m = 0;
  for (let t = 0; t < Math.max(la.length, lb.length); t++) {
    m += mismatches(la[t]?.voi ?? zero, lb[t]?.voi ?? zero, ambiguous);
    m += mismatches(la[t]?.rings ?? zero, lb[t]?.rings ?? zero, ambiguous);
  }
  return m;
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
