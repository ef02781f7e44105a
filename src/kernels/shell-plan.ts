/**
 * GPU-free planning of the pericoronary shells, shared by the WebGPU kernels and the CPU reference
 * so that both start from the very same f32 tables: the crop, the feature-transform domain, the
 * centerline seeds and segment records (in crop-local millimetres), and the lesion layers.
 *
 * Frames. Distances are rotation-invariant and the direction cosines are orthonormal, so every
 * geometric computation runs in the voxel-axis frame of the feature-transform domain: the voxel
 * (i, j, k) of the domain sits at (i·sx, j·sy, k·sz) mm, and centerline points are mapped there
 * with worldToVoxel. Magnitudes stay below a few hundred mm, where f32 resolves ~1e-5 mm.
 *
 * Boxes. The crop is the bounding box of all centerline points grown by a margin M (mm, per axis
 * converted with that axis' spacing), clipped to the CT. M covers the farthest labelled voxel
 * (w ≤ max(20 mm, 2·r_max), so d ≤ that + r_max), the calcium guard, and the seed snapping slack.
 * The feature-transform domain is the same box clipped only to the CT grown by M: centerline parts
 * outside the CT still seed it, so voxels near the border find their true nearest point, while a
 * centerline wandering far away (farther than any labelled voxel could see) costs nothing.
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

const f = Math.fround;

/** Sentinel of feature transforms: no site on the line / in the volume. */
export const NO_SITE = 0xffffffff;
/** Owner code of a voxel that belongs to no vessel (8 bits). */
export const NO_OWNER = 255;
/** Flag bit (above the owner byte) of a voxel inside some lumen (w ≤ 0 for some vessel). */
export const LUMEN_BIT = 256;
/** Owner flag: the f32 geometry sits within BAND_MM of a lumen wall or an ownership tie. */
export const UNDECIDED_BIT = 512;
/** Half-width (mm) of the band around each decision threshold inside which f32 is not trusted. */
export const BAND_MM = Math.fround(1e-3);
/** "Far" w in the shell state: larger than any real w; finite so no infinities enter f32 arithmetic. */
export const FAR_W = Math.fround(3.0e38);
/** f32 words per segment record: ax ay az ex ey ez len² s_a len r_a Δr pad. */
export const SEGMENT_WORDS = 12;
/** u32 words per seed record: domain voxel index, first and last segment of its refinement window. */
export const SEED_WORDS = 3;
/**
 * Half-width (mm of arc) of the refinement window around the nearest seed: the segments whose arc
 * range meets [s_seed − A, s_seed + A] (and at least the seed's segment and its two neighbours) are
 * projected on exactly. Wide enough to absorb the seed snapping error (≤ half a voxel diagonal plus
 * half a sample step) on coronary curvatures; see README notes on the medial-axis caveat.
 */
export const REFINE_ARC_MM = 3;

export interface Box {
  /** Inclusive lower voxel index per axis (CT voxel indices, may be negative for the domain). */
  readonly lo: Vec3;
  /** Exclusive upper voxel index per axis. */
  readonly hi: Vec3;
}

export interface VesselTable {
  readonly index: number;
  /** SEGMENT_WORDS per segment, domain-local mm, f32. */
  readonly segments: Float32Array;
  readonly segmentCount: number;
  /** SEED_WORDS per seed, sorted by domain voxel index (unique). */
  readonly seeds: Uint32Array;
  readonly seedCount: number;
  /** [s0, s1] of the vessel's segment, f32. */
  readonly s0: number;
  readonly s1: number;
  /**
   * Half-width (mm of arc, f32) of the band around s thresholds (segment and lesion ends) inside
   * which s is not trusted: two adjacent segments meeting at angle θ can be nearly equidistant from
   * a voxel d mm away while their projections differ by up to ≈ d·θ in arc length, and f32 may pick
   * the other one than float64.
   */
  readonly sBand: number;
  /**
   * Squared distance (mm², f32) from a voxel to its nearest seed voxel beyond which the vessel's
   * true w exceeds every region's outer bound: the voxel is then "far" and not refined.
   */
  readonly farCut2: number;
}

export interface LesionEntry {
  readonly vessel: number;
  /** Output label: 1 + lesion index. */
  readonly label: number;
  readonly start: number;
  readonly end: number;
}

export interface ShellPlan {
  /** Feature-transform domain (CT voxel indices). */
  readonly domain: Box;
  readonly domainDims: Vec3;
  /** The crop: the domain clipped to the CT. Shells, labels and statistics live here. */
  readonly crop: Box;
  readonly cropDims: Vec3;
  readonly cropVoxels: number;
  /** crop.lo − domain.lo. */
  readonly cropOffset: Vec3;
  /** Voxel spacing as f32 (mm). */
  readonly spacing: Vec3;
  readonly vessels: readonly VesselTable[];
  /** Lesions grouped into label layers: no two lesions of one vessel overlapping in one layer. */
  readonly lesionLayers: readonly (readonly LesionEntry[])[];
  readonly lesionCount: number;
  /** Wall gap g (mm, f32). */
  readonly wallGap: number;
  /** Squared calcium guard (mm², f32), or null when off. */
  readonly guard2: number | null;
  readonly calciumHu: number;
}

function emptyBox(b: Box): boolean {
  return b.hi[0] <= b.lo[0] || b.hi[1] <= b.lo[1] || b.hi[2] <= b.lo[2];
}

/** Plan crop, domain, seeds, segments and lesion layers of a pericoronary measurement. */
export function planShells(
  geom: Geometry,
  vessels: readonly PreparedVessel[],
  lesions: readonly PreparedLesion[],
  opts: ShellOptions,
): ShellPlan {
  if (vessels.length > MAX_VESSELS) {
    throw new PerifatError('E_OPTIONS', `at most ${MAX_VESSELS} vessels per measurement, got ${vessels.length}`);
  }
  if (lesions.length > 255) throw new PerifatError('E_OPTIONS', `at most 255 lesions, got ${lesions.length}`);
  if (!(opts.wallGapMm >= 0)) throw new PerifatError('E_OPTIONS', `wall gap must be ≥ 0 mm, got ${opts.wallGapMm}`);
  const guard = opts.calciumGuardMm !== null && opts.calciumGuardMm > 0 ? opts.calciumGuardMm : 0;
  if (opts.calciumGuardMm !== null && !(opts.calciumGuardMm >= 0)) {
    throw new PerifatError('E_OPTIONS', `calcium guard must be ≥ 0 mm, got ${opts.calciumGuardMm}`);
  }
  const spacing = geom.spacing.map((s) => f(s)) as Vec3;
  let maxR = 0;
  const all: Vec3[][] = vessels.map((v, vi) => {
    if (v.index !== vi) throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: index ${v.index} ≠ position ${vi}`);
    if (v.points.length < 1 || v.radii.length !== v.points.length || v.arcMm.length !== v.points.length) {
      throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: points, radii and arc lengths must match`);
    }
    for (const r of v.radii) {
      if (!(r >= 0) || !Number.isFinite(r)) throw new PerifatError('E_CENTERLINE', `vessel ${v.name}: bad radius ${r}`);
      maxR = Math.max(maxR, r);
    }
    return v.points.map((p) => worldToVoxel(geom, p));
  });
  const wMax = Math.max(RING_COUNT * RING_WIDTH_MM, 2 * maxR);
  const sampleStep = 0.5 * Math.min(...spacing);
  const halfDiag = 0.5 * Math.hypot(...spacing);
  // Slack for seed snapping (half a voxel diagonal + half a sample step) and one voxel of rounding.
  const slack = halfDiag + sampleStep / 2;
  const margin = wMax + maxR + guard + slack + 2 * halfDiag;

  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let mn = Infinity;
    let mx = -Infinity;
    for (const pts of all) {
      for (const p of pts) {
        mn = Math.min(mn, p[c]);
        mx = Math.max(mx, p[c]);
      }
    }
    // The margin in voxels of this axis; the domain reaches at most that far outside the CT.
    const m = Math.ceil(margin / spacing[c]);
    lo[c] = Math.max(Math.floor(mn) - m, -m);
    hi[c] = Math.min(Math.ceil(mx) + m + 1, geom.dims[c] + m);
    if (!(hi[c] > lo[c])) {
      lo[c] = 0;
      hi[c] = 0;
    }
  }
  const domain: Box = { lo, hi };
  const crop: Box = {
    lo: lo.map((v) => Math.max(v, 0)) as Vec3,
    hi: hi.map((v, c) => Math.min(v, geom.dims[c])) as Vec3,
  };
  const cropEmpty = vessels.length === 0 || emptyBox(crop);
  const finalCrop: Box = cropEmpty ? { lo: [0, 0, 0], hi: [0, 0, 0] } : crop;
  const finalDomain: Box = cropEmpty ? finalCrop : domain;
  const domainDims = finalDomain.hi.map((v, c) => v - finalDomain.lo[c]) as Vec3;
  const cropDims = finalCrop.hi.map((v, c) => v - finalCrop.lo[c]) as Vec3;

  const tables = cropEmpty
    ? []
    : vessels.map((v, vi) =>
        vesselTable(v, all[vi] as Vec3[], finalDomain, domainDims, spacing, sampleStep, {
          wMax,
          slack,
        }),
      );

  return {
    domain: finalDomain,
    domainDims,
    crop: finalCrop,
    cropDims,
    cropVoxels: cropDims[0] * cropDims[1] * cropDims[2],
    cropOffset: finalCrop.lo.map((v, c) => v - finalDomain.lo[c]) as Vec3,
    spacing,
    vessels: tables,
    lesionLayers: layerLesions(vessels, lesions),
    lesionCount: lesions.length,
    wallGap: f(opts.wallGapMm),
    guard2: guard > 0 ? f(guard * guard) : null,
    calciumHu: opts.calciumHu,
  };
}

function vesselTable(
  v: PreparedVessel,
  cv: readonly Vec3[],
  domain: Box,
  dims: Vec3,
  spacing: Vec3,
  step: number,
  bounds: { wMax: number; slack: number },
): VesselTable {
  const n = cv.length;
  const local = cv.map((p) => [0, 1, 2].map((c) => (p[c] - domain.lo[c]) * spacing[c]) as Vec3);
  const nSeg = Math.max(1, n - 1);
  const segments = new Float32Array(nSeg * SEGMENT_WORDS);
  const arc = v.arcMm;
  for (let g = 0; g < nSeg; g++) {
    const a = local[g] as Vec3;
    const b = local[Math.min(g + 1, n - 1)] as Vec3;
    const o = g * SEGMENT_WORDS;
    const ex = f(b[0] - a[0]);
    const ey = f(b[1] - a[1]);
    const ez = f(b[2] - a[2]);
    segments[o] = a[0];
    segments[o + 1] = a[1];
    segments[o + 2] = a[2];
    segments[o + 3] = ex;
    segments[o + 4] = ey;
    segments[o + 5] = ez;
    segments[o + 6] = f(f(f(ex * ex) + f(ey * ey)) + f(ez * ez));
    segments[o + 7] = arc[g] as number;
    segments[o + 8] = (arc[Math.min(g + 1, n - 1)] as number) - (arc[g] as number);
    segments[o + 9] = v.radii[g] as number;
    segments[o + 10] = (v.radii[Math.min(g + 1, n - 1)] as number) - (v.radii[g] as number);
  }

  // Samples every ≤ `step` mm along each segment, snapped to their domain voxel. Samples come in
  // increasing arc length, so both ends of the refinement window only move forward.
  const byVoxel = new Map<number, [number, number]>();
  const world = v.points;
  const arcAt = (i: number): number => arc[Math.min(i, n - 1)] as number;
  let segLo = 0;
  let segHi = 0;
  let rMax = 0;
  for (const r of v.radii) rMax = Math.max(rMax, r);
  // Regions reach ~3r from the axis of a wide vessel (VOI to w = 2r): far from the centerline the
  // distance along the arc is flat and a jittery polyline has local minima, so the window widens with r.
  const arcWindow = Math.max(REFINE_ARC_MM, 2 * rMax);
  for (let g = 0; g < nSeg; g++) {
    const a = world[g] as Vec3;
    const b = world[Math.min(g + 1, n - 1)] as Vec3;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    const m = Math.max(1, Math.ceil(len / step));
    const last = g === nSeg - 1 ? m : m - 1;
    const sa = arcAt(g);
    const sb = arcAt(g + 1);
    const pa = cv[g] as Vec3;
    const pb = cv[Math.min(g + 1, n - 1)] as Vec3;
    for (let q = 0; q <= last; q++) {
      const t = q / m;
      const s = sa + t * (sb - sa);
      while (segLo < g - 1 && arcAt(segLo + 1) < s - arcWindow) segLo++;
      segHi = Math.max(segHi, Math.min(nSeg - 1, g + 1));
      while (segHi < nSeg - 1 && arcAt(segHi + 1) <= s + arcWindow) segHi++;
      let inside = true;
      let idx = 0;
      let mul = 1;
      for (let c = 0; c < 3; c++) {
        const x = Math.round((pa[c] as number) + t * ((pb[c] as number) - (pa[c] as number))) - domain.lo[c];
        if (x < 0 || x >= dims[c]) inside = false;
        idx += x * mul;
        mul *= dims[c];
      }
      if (!inside) continue;
      const lo = Math.min(segLo, Math.max(0, g - 1));
      const prev = byVoxel.get(idx);
      if (prev) {
        prev[0] = Math.min(prev[0], lo);
        prev[1] = Math.max(prev[1], segHi);
      } else byVoxel.set(idx, [lo, segHi]);
    }
  }
  const keys = [...byVoxel.keys()].sort((x, y) => x - y);
  const seeds = new Uint32Array(keys.length * SEED_WORDS);
  keys.forEach((k, i) => {
    const w = byVoxel.get(k) as [number, number];
    seeds[i * SEED_WORDS] = k;
    seeds[i * SEED_WORDS + 1] = w[0];
    seeds[i * SEED_WORDS + 2] = w[1];
  });
  // True d ≥ d(seed voxel) − slack, so beyond wMax + r_max + slack the vessel's w exceeds wMax.
  const cut = bounds.wMax + rMax + bounds.slack + 1e-3;
  return {
    index: v.index,
    segments,
    segmentCount: nSeg,
    seeds,
    seedCount: keys.length,
    s0: f(v.segmentMm[0]),
    s1: f(v.segmentMm[1]),
    sBand: f((bounds.wMax + rMax) * maxTurn(v.points) * 1.1 + BAND_MM),
    farCut2: f(cut * cut),
  };
}

/** Largest angle (radians) between consecutive segments of a polyline. */
function maxTurn(points: readonly Vec3[]): number {
  let worst = 0;
  for (let i = 1; i + 1 < points.length; i++) {
    const a = points[i - 1] as Vec3;
    const b = points[i] as Vec3;
    const c = points[i + 1] as Vec3;
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const w = [c[0] - b[0], c[1] - b[1], c[2] - b[2]];
    const nu = Math.hypot(u[0] as number, u[1] as number, u[2] as number);
    const nw = Math.hypot(w[0] as number, w[1] as number, w[2] as number);
    if (nu === 0 || nw === 0) continue;
    const cos =
      ((u[0] as number) * (w[0] as number) +
        (u[1] as number) * (w[1] as number) +
        (u[2] as number) * (w[2] as number)) /
      (nu * nw);
    worst = Math.max(worst, Math.acos(Math.min(1, Math.max(-1, cos))));
  }
  return worst;
}

/**
 * Lesion layers: greedy in lesion order, each lesion goes to the first layer holding no lesion of
 * the same vessel whose interval overlaps it. Lesions of different vessels never share a voxel
 * (a voxel has one owner), so they always share a layer. Labels stay 1 + lesion index in every layer.
 */
export function layerLesions(vessels: readonly PreparedVessel[], lesions: readonly PreparedLesion[]): LesionEntry[][] {
  const layers: LesionEntry[][] = [];
  lesions.forEach((l, li) => {
    if (!(l.vesselIndex >= 0 && l.vesselIndex < vessels.length)) {
      throw new PerifatError('E_CENTERLINE', `lesion ${li}: no vessel ${l.vesselIndex}`);
    }
    const entry: LesionEntry = { vessel: l.vesselIndex, label: li + 1, start: f(l.startMm), end: f(l.endMm) };
    const clash = (e: LesionEntry): boolean =>
      e.vessel === entry.vessel && e.start <= entry.end && entry.start <= e.end;
    const layer = layers.find((ls) => !ls.some(clash));
    if (layer) layer.push(entry);
    else layers.push([entry]);
  });
  return layers;
}

/** Copy of the CT's HU inside a box (voxel order i fastest). */
export function cropHu(dims: Vec3, hu: Int16Array, box: Box): Int16Array {
  const [cx, cy, cz] = box.hi.map((v, c) => v - box.lo[c]) as Vec3;
  const out = new Int16Array(Math.max(0, cx * cy * cz));
  if (out.length === 0) return out;
  for (let k = 0; k < cz; k++) {
    for (let j = 0; j < cy; j++) {
      const src = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      out.set(hu.subarray(src, src + cx), cx * (j + cy * k));
    }
  }
  return out;
}
