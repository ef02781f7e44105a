/**
 * GPU-free plan of the pericoronary shells, executed by both backends: the crop, the vessels cut
 * into parts (shared stems once), the segment records in float64 (world frame, the arithmetic of
 * the definition) and in f32 (crop-local frame, what the kernels take), and the lesion layers.
 *
 * Frames. The direction cosines are orthonormal, so distances are the same in the crop-local
 * frame, where voxel (i, j, k) of the crop sits at (i·sx, j·sy, k·sz) mm. The kernels work there
 * in f32 (magnitudes below a few hundred mm, resolved to ~2e-5 mm); the float64 path evaluates
 * distances in the world frame with exactly the operations of METHOD.md §4's brute-force oracle,
 * so its numbers are the definition's, bit for bit.
 *
 * Parts. Centerline tools give each branch of a tree from the ostium, repeating the stem's points.
 * Such a shared prefix (same points, same radii) becomes one part that every vessel through it
 * references; each vessel is a path of parts from its ostium. A voxel's nearest point on a vessel is
 * the nearest over its parts (the earlier part wins an exact tie: its segments come first, so s is
 * the smaller arc length), and two vessels whose nearest points lie in the same part have exactly
 * the same w, s and r — a tie (METHOD.md §4) that counts for both on every backend without any
 * settling.
 *
 * Tie layers. Label layers are u8 per voxel, so a voxel in the VOIs of several tied vessels needs a
 * layer per tied vessel: tie layer t holds the VOI and ring labels of the t-th tied vessel (in index
 * order), and every count is the sum over the tie layers, so each (voxel, vessel) pair is counted
 * once and no number depends on the order the vessels are listed in. The kernels write
 * tieLayerCount layers (the most vessels that share one part: the ties they can decide); a tie
 * across parts (equal w at different points, e.g. behind a bifurcation point that branches given
 * from the bifurcation start at) is within the f32 band and settled in float64, which adds a host
 * layer where it needs one.
 *
 * The crop is the bounding box of all centerline points grown by a margin covering the farthest
 * labelled voxel (w ≤ max(20 mm, 2·r_max), so d ≤ that + r_max) and the calcium guard, clipped
 * to the CT: no voxel outside it can be in a region or guard one.
 */
import { PerifatError } from '../errors';
import {
  MAX_VESSELS,
  RING_COUNT,
  RING_WIDTH_MM,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../measure/pericoronary-types';
import { type Geometry, type Vec3, worldToVoxel } from '../volume/geometry';
import { FAR_D2, SEGMENT_WORDS } from './constants';

const f = Math.fround;

/** float64 words per world segment record: ax ay az ex ey ez len² s_a Δs r_a Δr. */
export const WORLD_WORDS = 11;

export interface Box {
  /** Inclusive lower voxel index per axis. */
  readonly lo: Vec3;
  /** Exclusive upper voxel index per axis. */
  readonly hi: Vec3;
}

/** A run of consecutive segments of one centerline, shared by every vessel whose path holds it. */
export interface ShellPart {
  readonly index: number;
  /** Global index of its first segment in the plan's segment tables. */
  readonly segBase: number;
  readonly segCount: number;
}

export interface ShellVessel {
  readonly index: number;
  readonly name: string;
  /** Parts from the ostium on; their segments are the vessel's segments in order. */
  readonly parts: readonly number[];
  /** [s0, s1] of the vessel's segment: float64 for the definition, f32 for the kernels. */
  readonly s0: number;
  readonly s1: number;
  readonly s0f: number;
  readonly s1f: number;
  readonly rMax: number;
  /** Distances beyond which the vessel's w exceeds every region's outer bound (mm). */
  readonly cutoff: number;
}

export interface ShellLesion {
  readonly vessel: number;
  /** Output label: 1 + lesion index. */
  readonly label: number;
  readonly start: number;
  readonly end: number;
  readonly startF: number;
  readonly endF: number;
  /** The label layer it is written to. */
  readonly layer: number;
}

export interface ShellPlan {
  /** The CT geometry (world frame of the float64 path). */
  readonly geometry: Geometry;
  readonly crop: Box;
  readonly cropDims: Vec3;
  readonly cropVoxels: number;
  /** Voxel spacing (mm), float64. */
  readonly spacing: Vec3;
  readonly vessels: readonly ShellVessel[];
  readonly parts: readonly ShellPart[];
  readonly segmentCount: number;
  /** WORLD_WORDS float64 per global segment. */
  readonly world: Float64Array;
  /** Crop-local float64 endpoints a, b per global segment (6 words), for building candidates. */
  readonly local: Float64Array;
  /** SEGMENT_WORDS f32 per global segment, crop-local (the kernels' copy). */
  readonly segments32: Float32Array;
  /** Every lesion, in lesion order, with its layer. */
  readonly lesions: readonly ShellLesion[];
  /**
   * Number of lesion label layers the kernels write: no two lesions a voxel can be in at once (of
   * one vessel, or of vessels tied in a part they share) share one.
   */
  readonly lesionLayerCount: number;
  /**
   * Number of VOI/ring tie layers the kernels write: the most vessels whose paths hold one part
   * (1 without shared parts). A float64-classified voxel tied across parts may need more: the host
   * adds them (src/shells/layers.ts).
   */
  readonly tieLayerCount: number;
  /** Outer bound of every region's w: max(RING_COUNT·RING_WIDTH, 2·r_max). */
  readonly wMax: number;
  readonly wallGap: number;
  /** Calcium guard distance (mm), or null when off. */
  readonly guardMm: number | null;
  readonly calciumHu: number;
}

function checkOptions(vessels: readonly PreparedVessel[], lesions: readonly PreparedLesion[], opts: ShellOptions) {
  if (vessels.length > MAX_VESSELS) {
    throw new PerifatError('E_OPTIONS', `at most ${MAX_VESSELS} vessels per measurement, got ${vessels.length}`);
  }
  if (lesions.length > 255) throw new PerifatError('E_OPTIONS', `at most 255 lesions, got ${lesions.length}`);
  if (!(opts.wallGapMm >= 0)) throw new PerifatError('E_OPTIONS', `wall gap must be ≥ 0 mm, got ${opts.wallGapMm}`);
  if (opts.calciumGuardMm !== null && !(opts.calciumGuardMm >= 0)) {
    throw new PerifatError('E_OPTIONS', `calcium guard must be ≥ 0 mm, got ${opts.calciumGuardMm}`);
  }
  vessels.forEach((v, vi) => {
    if (v.index !== vi) throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: index ${v.index} ≠ position ${vi}`);
    if (v.points.length < 2 || v.radii.length !== v.points.length || v.arcMm.length !== v.points.length) {
      throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: needs ≥ 2 points with one radius and arc length each`);
    }
    for (const r of v.radii) {
      if (!(r >= 0) || !Number.isFinite(r)) throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: bad radius ${r}`);
    }
  });
}

/** The calcium guard (mm) a plan takes from its options: null when off. */
export function guardMmOf(opts: Pick<ShellOptions, 'calciumGuardMm'>): number | null {
  return opts.calciumGuardMm !== null && opts.calciumGuardMm > 0 ? opts.calciumGuardMm : null;
}

/** Plan crop, parts, segment tables and lesion layers of a pericoronary measurement. */
export function planShells(
  geom: Geometry,
  vessels: readonly PreparedVessel[],
  lesions: readonly PreparedLesion[],
  opts: ShellOptions,
): ShellPlan {
  checkOptions(vessels, lesions, opts);
  const guard = guardMmOf(opts) ?? 0;
  const spacing: Vec3 = [geom.spacing[0], geom.spacing[1], geom.spacing[2]];
  const rMaxOf = (v: PreparedVessel): number => Math.max(...v.radii);
  const maxR = Math.max(0, ...vessels.map(rMaxOf));
  const wMax = Math.max(RING_COUNT * RING_WIDTH_MM, 2 * maxR);
  const voxelPts = vessels.map((v) => v.points.map((p) => worldToVoxel(geom, p)));
  // One voxel diagonal beyond the farthest distance that matters, for rounding.
  const margin = wMax + maxR + guard + Math.hypot(...spacing);
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let mn = Infinity;
    let mx = -Infinity;
    for (const pts of voxelPts) {
      for (const p of pts) {
        mn = Math.min(mn, p[c] as number);
        mx = Math.max(mx, p[c] as number);
      }
    }
    const m = Math.ceil(margin / (spacing[c] as number));
    lo[c] = Math.max(Math.floor(mn) - m, 0);
    hi[c] = Math.min(Math.ceil(mx) + m + 1, geom.dims[c] as number);
  }
  const empty = vessels.length === 0 || hi.some((h, c) => h <= (lo[c] as number));
  const crop: Box = empty ? { lo: [0, 0, 0], hi: [0, 0, 0] } : { lo, hi };
  const cropDims = crop.hi.map((v, c) => v - (crop.lo[c] as number)) as Vec3;

  const { parts, paths, ranges } = splitParts(vessels);
  const segmentCount = parts.reduce((n, p) => n + p.segCount, 0);
  const world = new Float64Array(segmentCount * WORLD_WORDS);
  const local = new Float64Array(segmentCount * 6);
  const segments32 = new Float32Array(segmentCount * SEGMENT_WORDS);
  const toLocal = (q: Vec3): Vec3 =>
    [0, 1, 2].map((c) => ((q[c] as number) - (crop.lo[c] as number)) * (spacing[c] as number)) as Vec3;
  parts.forEach((part, pi) => {
    const range = ranges[pi] as { vessel: number; first: number };
    const v = vessels[range.vessel] as PreparedVessel;
    const pts = voxelPts[range.vessel] as Vec3[];
    for (let q = 0; q < part.segCount; q++) {
      const g = range.first + q;
      writeSegment(
        world,
        local,
        segments32,
        part.segBase + q,
        v,
        g,
        toLocal(pts[g] as Vec3),
        toLocal(pts[g + 1] as Vec3),
      );
    }
  });

  const shellVessels = vessels.map((v, vi): ShellVessel => ({
    index: vi,
    name: v.name,
    parts: paths[vi] as number[],
    s0: v.segmentMm[0],
    s1: v.segmentMm[1],
    s0f: f(v.segmentMm[0]),
    // A segment reaching the vessel's end never excludes a voxel: s = s_a + t·Δs ≤ s_b (rounding
    // is monotone and Δs is exact past the first segments), so s ≤ its length ≤ s1 in float64.
    // The kernels get no threshold there, or voxels beyond the tip (s = length) would all wait
    // for the settling.
    s1f: v.segmentMm[1] >= (v.arcMm[v.arcMm.length - 1] as number) ? FAR_D2 : f(v.segmentMm[1]),
    rMax: rMaxOf(v),
    cutoff: wMax + rMaxOf(v),
  }));
  const { entries, layerCount } = layerLesions(vessels, lesions);
  let tieLayerCount = vessels.length > 0 ? 1 : 0;
  for (const part of parts) {
    tieLayerCount = Math.max(tieLayerCount, paths.filter((p) => p.includes(part.index)).length);
  }
  return {
    // The geometry alone (a CtVolume passed as `geom` carries its voxels too; plans go to workers).
    geometry: { dims: geom.dims, spacing: geom.spacing, origin: geom.origin, direction: geom.direction },
    crop,
    cropDims,
    cropVoxels: cropDims[0] * cropDims[1] * cropDims[2],
    spacing,
    vessels: shellVessels,
    parts,
    segmentCount,
    world,
    local,
    segments32,
    lesions: entries,
    lesionLayerCount: layerCount,
    tieLayerCount,
    wMax,
    wallGap: opts.wallGapMm,
    guardMm: guardMmOf(opts),
    calciumHu: opts.calciumHu,
  };
}

/** Writes segment g of vessel v (points g → g + 1) at global index G of the three tables. */
function writeSegment(
  world: Float64Array,
  local: Float64Array,
  seg32: Float32Array,
  G: number,
  v: PreparedVessel,
  g: number,
  la: Vec3,
  lb: Vec3,
): void {
  const a = v.points[g] as Vec3;
  const b = v.points[g + 1] as Vec3;
  const ex = b[0] - a[0];
  const ey = b[1] - a[1];
  const ez = b[2] - a[2];
  const sa = v.arcMm[g] as number;
  const ra = v.radii[g] as number;
  const o = G * WORLD_WORDS;
  world[o] = a[0];
  world[o + 1] = a[1];
  world[o + 2] = a[2];
  world[o + 3] = ex;
  world[o + 4] = ey;
  world[o + 5] = ez;
  world[o + 6] = ex * ex + ey * ey + ez * ez;
  world[o + 7] = sa;
  world[o + 8] = (v.arcMm[g + 1] as number) - sa;
  world[o + 9] = ra;
  world[o + 10] = (v.radii[g + 1] as number) - ra;
  local.set([la[0], la[1], la[2], lb[0], lb[1], lb[2]], G * 6);
  const k = G * SEGMENT_WORDS;
  const lx = f(lb[0] - la[0]);
  const ly = f(lb[1] - la[1]);
  const lz = f(lb[2] - la[2]);
  seg32[k] = la[0];
  seg32[k + 1] = la[1];
  seg32[k + 2] = la[2];
  seg32[k + 3] = lx;
  seg32[k + 4] = ly;
  seg32[k + 5] = lz;
  seg32[k + 6] = f(f(f(lx * lx) + f(ly * ly)) + f(lz * lz));
  seg32[k + 7] = sa;
  seg32[k + 8] = world[o + 8] as number;
  seg32[k + 9] = ra;
  seg32[k + 10] = world[o + 10] as number;
}

/** Number of leading points (with their radii) two vessels share exactly. */
function sharedPoints(a: PreparedVessel, b: PreparedVessel): number {
  const n = Math.min(a.points.length, b.points.length);
  let k = 0;
  while (k < n) {
    const p = a.points[k] as Vec3;
    const q = b.points[k] as Vec3;
    if (p[0] !== q[0] || p[1] !== q[1] || p[2] !== q[2] || a.radii[k] !== b.radii[k]) break;
    k++;
  }
  return k;
}

/**
 * Cuts the vessels into parts: each vessel in turn shares the longest exact prefix it has with an
 * earlier vessel (splitting that vessel's part where the prefix ends), and its remaining segments
 * become a part of its own. Parts are numbered in creation order; segBase follows that order.
 */
function splitParts(vessels: readonly PreparedVessel[]): {
  parts: ShellPart[];
  paths: number[][];
  ranges: { vessel: number; first: number }[];
} {
  // A part as a range of segments [first, last) of the vessel that introduced it.
  const ranges: { vessel: number; first: number; last: number }[] = [];
  const paths: number[][] = [];
  vessels.forEach((v, vi) => {
    const nSeg = v.points.length - 1;
    let from = -1;
    let shared = 0;
    for (let u = 0; u < vi; u++) {
      const k = sharedPoints(vessels[u] as PreparedVessel, v) - 1;
      if (k > shared) {
        shared = k;
        from = u;
      }
    }
    const path: number[] = [];
    if (from >= 0) {
      // Walk the earlier vessel's parts through `shared` segments, splitting the one it ends in.
      let covered = 0;
      for (const pi of paths[from] as number[]) {
        if (covered >= shared) break;
        const r = ranges[pi] as { vessel: number; first: number; last: number };
        const len = r.last - r.first;
        if (covered + len > shared) {
          const cut = r.first + (shared - covered);
          const tail = ranges.length;
          ranges.push({ vessel: r.vessel, first: cut, last: r.last });
          r.last = cut;
          for (const p of paths) {
            const at = p.indexOf(pi);
            if (at >= 0) p.splice(at + 1, 0, tail);
          }
        }
        path.push(pi);
        covered += r.last - r.first;
      }
    }
    if (nSeg > shared) {
      path.push(ranges.length);
      ranges.push({ vessel: vi, first: shared, last: nSeg });
    }
    paths.push(path);
  });
  let base = 0;
  const parts = ranges.map((r, index): ShellPart => {
    const part = { index, segBase: base, segCount: r.last - r.first };
    base += part.segCount;
    return part;
  });
  return { parts, paths, ranges };
}

/**
 * Lesion layers: greedy in lesion order, each lesion goes to the first layer holding no lesion it
 * can share a voxel with: a lesion of the same vessel whose interval overlaps it, or a lesion of a
 * vessel it shares a stem with (an exact common prefix, where the two are tied with equal s) whose
 * interval overlaps it within that stem. Other lesions of different vessels share a voxel only at
 * a tie across parts, which the float64 path settles (it puts such a label in a free layer, adding
 * one on the host if need be). Labels stay 1 + lesion index in every layer.
 */
export function layerLesions(
  vessels: readonly PreparedVessel[],
  lesions: readonly PreparedLesion[],
): { entries: ShellLesion[]; layerCount: number } {
  const entries: ShellLesion[] = [];
  let layerCount = 0;
  // Arc length of the stem two vessels share (−1: none, not even one segment).
  const stem = (a: number, b: number): number => {
    if (a === b) return Infinity;
    const va = vessels[a] as PreparedVessel;
    const k = sharedPoints(va, vessels[b] as PreparedVessel);
    return k >= 2 ? (va.arcMm[k - 1] as number) : -1;
  };
  lesions.forEach((l, li) => {
    if (!(l.vesselIndex >= 0 && l.vesselIndex < vessels.length)) {
      throw new PerifatError('E_CENTERLINE', `lesion ${li}: no vessel ${l.vesselIndex}`);
    }
    const clash = (e: ShellLesion, layer: number): boolean =>
      e.layer === layer && Math.max(e.start, l.startMm) <= Math.min(e.end, l.endMm, stem(e.vessel, l.vesselIndex));
    let layer = 0;
    while (entries.some((e) => clash(e, layer))) layer++;
    layerCount = Math.max(layerCount, layer + 1);
    entries.push({
      vessel: l.vesselIndex,
      label: li + 1,
      start: l.startMm,
      end: l.endMm,
      startF: f(l.startMm),
      endF: f(l.endMm),
      layer,
    });
  });
  return { entries, layerCount };
}

/**
 * Copy of the CT's HU inside a box (voxel order i fastest), in memory from `alloc` (e.g. a
 * SharedArrayBuffer that worker threads read without a copy of their own).
 */
export function cropHu(
  dims: Vec3,
  hu: Int16Array,
  box: Box,
  alloc: (n: number) => Int16Array = (n) => new Int16Array(n),
): Int16Array {
  const [cx, cy, cz] = box.hi.map((v, c) => v - (box.lo[c] as number)) as Vec3;
  const out = alloc(Math.max(0, cx * cy * cz));
  if (out.length === 0) return out;
  for (let k = 0; k < cz; k++) {
    for (let j = 0; j < cy; j++) {
      const src = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      out.set(hu.subarray(src, src + cx), cx * (j + cy * k));
    }
  }
  return out;
}
