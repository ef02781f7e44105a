/**
 * The oracle: a direct evaluation of the METHOD.md definitions on voxel centres, which the engine
 * (GPU and CPU backends) must match exactly. Independent of src/measure, src/kernels and src/backends on purpose;
 * deliberately plain: one pass over the voxels near the vessels, exact nearest points (see
 * nearest.ts for the only shortcut, and why it is exact), sorted arrays for percentiles.
 */
import { type Geometry, voxelVolumeMl, worldToVoxel, type Vec3 } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { arcLengths, type VesselSet } from '../volume/vessels';
import {
  REPORT_SCHEMA,
  type EatReport,
  type LesionReport,
  type Report,
  type VesselReport,
} from '../measure/report-types';
import { CenterlineIndex, makeNearestOut } from './nearest';
import {
  DEFAULT_FAT_WINDOW,
  DEFAULT_KVP_FACTORS,
  kvpFactor,
  lesionFlags,
  segmentFor,
  to120,
  vesselFlags,
} from './rules';
import { MeanAcc, summarize, ValueList } from './stats';
import type { TruthOptions } from './types';

const RINGS = 20;
const NEAR_MM = 5;
const REMOTE_MM: [number, number] = [10, 20];
/** Voxels ≥ this HU outside every lumen are "calcium" for the calcium guard. */
const CALCIUM_HU = 130;

export function computeTruth(
  ct: CtVolume,
  pericardium: LabelVolume | null,
  vessels: VesselSet | null,
  options: TruthOptions = {},
): Report {
  const [fatLo, fatHi] = options.fatWindow ?? DEFAULT_FAT_WINDOW;
  const kvp = options.kvp !== undefined ? options.kvp : ct.kvp;
  const factor = kvpFactor(kvp, options.kvpFactors ?? DEFAULT_KVP_FACTORS);
  const warnings = ['phantom truth'];
  if (factor === null) warnings.push(`kVp ${kvp ?? 'unknown'} has no conversion factor: 120-kVp values are null`);
  const isFat = (hu: number): boolean => hu >= fatLo && hu <= fatHi;

  const eat = pericardium ? eatTruth(ct, pericardium, isFat, options.eatSlices ?? null, factor) : null;
  const { vesselReports, lesionReports } = vessels
    ? vesselTruth(ct, vessels, isFat, options, factor, warnings)
    : { vesselReports: [], lesionReports: [] };

  return {
    schema: REPORT_SCHEMA,
    input: { ct: ct.source, dims: [...ct.dims], spacingMm: [...ct.spacing], kvp },
    backend: { api: 'cpu', runtime: 'node', adapter: null },
    eat,
    vessels: vesselReports,
    lesions: lesionReports,
    warnings,
    timingsMs: {},
  };
}

/** Label of `mask` at the centre of CT voxel (i,j,k): same grid → same index; else nearest neighbour in world. */
function maskLookup(ct: Geometry, mask: LabelVolume): (i: number, j: number, k: number, n: number) => number {
  const same =
    ct.dims.every((x, a) => x === mask.dims[a]) &&
    ct.spacing.every((x, a) => x === mask.spacing[a]) &&
    ct.origin.every((x, a) => x === mask.origin[a]) &&
    ct.direction.every((x, a) => x === mask.direction[a]);
  if (same) return (_i, _j, _k, n) => mask.labels[n] as number;
  const [mx, my, mz] = mask.dims;
  return (i, j, k) => {
    const q = worldToVoxel(mask, worldOf(ct, i, j, k));
    const a = Math.round(q[0]);
    const b = Math.round(q[1]);
    const c = Math.round(q[2]);
    if (a < 0 || b < 0 || c < 0 || a >= mx || b >= my || c >= mz) return 0;
    return mask.labels[a + mx * (b + my * c)] as number;
  };
}

/** Same expression, in the same order, as voxelToWorld (so positions are bit-identical to it). */
function worldOf(g: Geometry, i: number, j: number, k: number): Vec3 {
  const d = g.direction;
  const a = i * g.spacing[0];
  const b = j * g.spacing[1];
  const c = k * g.spacing[2];
  return [
    g.origin[0] + d[0] * a + d[1] * b + d[2] * c,
    g.origin[1] + d[3] * a + d[4] * b + d[5] * c,
    g.origin[2] + d[6] * a + d[7] * b + d[8] * c,
  ];
}

function eatTruth(
  ct: CtVolume,
  mask: LabelVolume,
  isFat: (hu: number) => boolean,
  slices: [number, number] | null,
  factor: number | null,
): EatReport {
  const [nx, ny, nz] = ct.dims;
  const label = maskLookup(ct, mask);
  const k0 = Math.max(0, slices ? slices[0] : 0);
  const k1 = Math.min(nz - 1, slices ? slices[1] : nz - 1);
  const values = new ValueList();
  for (let k = k0; k <= k1; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const n = i + nx * (j + ny * k);
        const hu = ct.hu[n] as number;
        if (isFat(hu) && label(i, j, k, n) !== 0) values.push(hu);
      }
    }
  }
  const s = summarize(values);
  return {
    volumeMl: s.n * voxelVolumeMl(ct),
    meanHu: s.mean,
    sdHu: s.sd,
    medianHu: s.median,
    p25Hu: s.p25,
    p75Hu: s.p75,
    minHu: s.min,
    maxHu: s.max,
    fatVoxels: s.n,
    meanHu120: to120(s.mean, factor),
  };
}

interface VesselAcc {
  segment: [number, number];
  voi: number;
  voiFat: ValueList;
  rings: MeanAcc[];
  near: MeanAcc;
  remote: MeanAcc;
}

interface LesionAcc {
  voi: number;
  fat: MeanAcc;
}

function vesselTruth(
  ct: CtVolume,
  set: VesselSet,
  isFat: (hu: number) => boolean,
  options: TruthOptions,
  factor: number | null,
  warnings: string[],
): { vesselReports: VesselReport[]; lesionReports: LesionReport[] } {
  const vs = set.vessels;
  const nv = vs.length;
  const gap = options.wallGapMm ?? 0;
  const guard = options.calciumGuardMm ?? 0;
  const rmax = vs.map((v) => Math.max(...v.radii));
  // Every region lies within w ≤ W (rings/remote reach 20 mm, the VOI 2r). A vessel can only own a
  // voxel or put it in a lumen when its w ≤ W, i.e. d ≤ W + rmax: that is all the index must answer.
  const W = Math.max(RINGS, REMOTE_MM[1], ...rmax.map((r) => 2 * r));
  const cutoffs = rmax.map((r) => W + r);
  const accs: VesselAcc[] = vs.map((v) => ({
    segment: segmentFor(v.name, arcLengths(v.points)[v.points.length - 1] as number, options.segments),
    voi: 0,
    voiFat: new ValueList(),
    rings: Array.from({ length: RINGS }, () => new MeanAcc()),
    near: new MeanAcc(),
    remote: new MeanAcc(),
  }));
  const lesionVessel = set.lesions.map((l) => vs.findIndex((v) => v.name === l.vessel));
  lesionVessel.forEach((vi, li) => {
    if (vi < 0) warnings.push(`lesion on unknown vessel ${set.lesions[li]?.vessel}`);
  });
  const lesionAccs: LesionAcc[] = set.lesions.map(() => ({ voi: 0, fat: new MeanAcc() }));

  if (nv > 0) {
    const index = new CenterlineIndex(vs, cutoffs);
    const out = makeNearestOut(nv);
    const box = indexBox(ct, vs, cutoffs);
    const nearCalcium = guard > 0 ? calciumGuard(ct, index, box, guard) : null;
    const [nx, ny] = ct.dims;
    for (let k = box.lo[2]; k <= box.hi[2]; k++) {
      for (let j = box.lo[1]; j <= box.hi[1]; j++) {
        for (let i = box.lo[0]; i <= box.hi[0]; i++) {
          const p = worldOf(ct, i, j, k);
          index.query(p[0], p[1], p[2], out);
          // Ownership: smallest w; an exact tie counts for every tied vessel; inside any lumen → nobody's.
          let best = Infinity;
          let inLumen = false;
          for (let v = 0; v < nv; v++) {
            const w = out.w[v] as number;
            if (w <= 0) inLumen = true;
            if (w < best) best = w;
          }
          if (inLumen || !(best <= W) || best <= gap) continue;
          const w = best;
          let guardAsked = false;
          let guarded = false;
          let hu = 0;
          let fat = false;
          for (let owner = 0; owner < nv; owner++) {
            if ((out.w[owner] as number) !== best) continue;
            const s = out.s[owner] as number;
            const r = out.r[owner] as number;
            const acc = accs[owner] as VesselAcc;
            const inSegment = s >= acc.segment[0] && s <= acc.segment[1];
            let inLesion = false;
            for (let l = 0; l < lesionVessel.length; l++) {
              const les = set.lesions[l];
              if (lesionVessel[l] === owner && les && s >= les.startMm && s <= les.endMm && w <= 2 * r) inLesion = true;
            }
            if (!inSegment && !inLesion) continue;
            if (!guardAsked) {
              guardAsked = true;
              guarded = nearCalcium !== null && nearCalcium(i, j, k);
              hu = ct.hu[i + nx * (j + ny * k)] as number;
              fat = isFat(hu);
            }
            if (guarded) break;
            if (inSegment) {
              if (w <= 2 * r) {
                acc.voi++;
                if (fat) acc.voiFat.push(hu);
              }
              if (fat) {
                const ring = Math.ceil(w) - 1;
                if (ring < RINGS) (acc.rings[ring] as MeanAcc).add(hu);
                if (w <= NEAR_MM) acc.near.add(hu);
                if (w > REMOTE_MM[0] && w <= REMOTE_MM[1]) acc.remote.add(hu);
              }
            }
            for (let l = 0; l < lesionVessel.length; l++) {
              const les = set.lesions[l];
              if (lesionVessel[l] !== owner || !les || s < les.startMm || s > les.endMm || w > 2 * r) continue;
              const la = lesionAccs[l] as LesionAcc;
              la.voi++;
              if (fat) la.fat.add(hu);
            }
          }
        }
      }
    }
  }

  const vml = voxelVolumeMl(ct);
  const vesselReports = vs.map((v, vi): VesselReport => {
    const acc = accs[vi] as VesselAcc;
    const st = summarize(acc.voiFat);
    const fai = st.mean;
    const fai120 = to120(fai, factor);
    const outer = (acc.rings[RINGS - 1] as MeanAcc).mean();
    return {
      name: v.name,
      segmentMm: acc.segment,
      faiHu: fai,
      faiHu120: fai120,
      sdHu: st.sd,
      medianHu: st.median,
      p25Hu: st.p25,
      p75Hu: st.p75,
      fatVoxels: st.n,
      voiVoxels: acc.voi,
      fatFraction: acc.voi === 0 ? null : st.n / acc.voi,
      fatVolumeMl: st.n * vml,
      vpci: fai === null || outer === null || fai === 0 ? null : (100 * (fai - outer)) / Math.abs(fai),
      nearHu: acc.near.mean(),
      remoteHu: acc.remote.mean(),
      rings: acc.rings.map((ring, k) => ({ innerMm: k, outerMm: k + 1, meanHu: ring.mean(), fatVoxels: ring.n })),
      flags: vesselFlags(v.name, fai, fai120),
    };
  });
  const lesionReports = set.lesions.map((l, li): LesionReport => {
    const la = lesionAccs[li] as LesionAcc;
    const fai = la.fat.mean();
    const fai120 = to120(fai, factor);
    return {
      vessel: l.vessel,
      startMm: l.startMm,
      endMm: l.endMm,
      faiHu: fai,
      faiHu120: fai120,
      fatVoxels: la.fat.n,
      voiVoxels: la.voi,
      flags: lesionFlags(l.vessel, fai, fai120),
    };
  });
  return { vesselReports, lesionReports };
}

interface IndexBox {
  lo: [number, number, number];
  hi: [number, number, number];
}

/**
 * Voxel index box (clipped to the grid) holding every voxel within cutoff of a centerline point
 * box: the world bounding box of each vessel grown by its cutoff, mapped to index space through
 * its 8 corners (the map is affine, so the image of the box lies inside the corners' index box).
 */
function indexBox(g: Geometry, vs: VesselSet['vessels'], cutoffs: readonly number[]): IndexBox {
  const lo: [number, number, number] = [Infinity, Infinity, Infinity];
  const hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  vs.forEach((v, vi) => {
    const D = cutoffs[vi] as number;
    const wlo = [0, 1, 2].map((a) => Math.min(...v.points.map((p) => p[a] as number)) - D);
    const whi = [0, 1, 2].map((a) => Math.max(...v.points.map((p) => p[a] as number)) + D);
    for (let c = 0; c < 8; c++) {
      const corner: Vec3 = [
        (c & 1 ? whi[0] : wlo[0]) as number,
        (c & 2 ? whi[1] : wlo[1]) as number,
        (c & 4 ? whi[2] : wlo[2]) as number,
      ];
      const q = worldToVoxel(g, corner);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a] as number, Math.floor(q[a] as number));
        hi[a] = Math.max(hi[a] as number, Math.ceil(q[a] as number));
      }
    }
  });
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, lo[a] as number);
    hi[a] = Math.min((g.dims[a] as number) - 1, hi[a] as number);
  }
  return { lo, hi };
}

/**
 * Calcium guard: marks "calcium" voxels (HU ≥ 130, outside every lumen) in the box grown by the
 * guard distance, and answers whether a voxel lies within ≤ c mm (centre to centre) of one.
 * The grid is orthonormal, so the distance between voxels depends only on the index offset.
 */
function calciumGuard(
  ct: CtVolume,
  index: CenterlineIndex,
  box: IndexBox,
  c: number,
): (i: number, j: number, k: number) => boolean {
  const reach = ct.spacing.map((s) => Math.floor(c / s) + 1) as [number, number, number];
  const lo = box.lo.map((x, a) => Math.max(0, x - (reach[a] as number)));
  const hi = box.hi.map((x, a) => Math.min((ct.dims[a] as number) - 1, x + (reach[a] as number)));
  const bx = (hi[0] as number) - (lo[0] as number) + 1;
  const by = (hi[1] as number) - (lo[1] as number) + 1;
  const bz = (hi[2] as number) - (lo[2] as number) + 1;
  const calcium = new Uint8Array(Math.max(0, bx * by * bz));
  const out = makeNearestOut(index.nVessels);
  const [nx, ny] = ct.dims;
  for (let k = lo[2] as number; k <= (hi[2] as number); k++) {
    for (let j = lo[1] as number; j <= (hi[1] as number); j++) {
      for (let i = lo[0] as number; i <= (hi[0] as number); i++) {
        if ((ct.hu[i + nx * (j + ny * k)] as number) < CALCIUM_HU) continue;
        const p = worldOf(ct, i, j, k);
        index.query(p[0], p[1], p[2], out);
        let inLumen = false;
        for (let v = 0; v < index.nVessels; v++) if ((out.w[v] as number) <= 0) inLumen = true;
        if (!inLumen) calcium[i - (lo[0] as number) + bx * (j - (lo[1] as number) + by * (k - (lo[2] as number)))] = 1;
      }
    }
  }
  const offsets: [number, number, number][] = [];
  const [sx, sy, sz] = ct.spacing;
  for (let dk = -reach[2]; dk <= reach[2]; dk++)
    for (let dj = -reach[1]; dj <= reach[1]; dj++)
      for (let di = -reach[0]; di <= reach[0]; di++)
        if ((di * sx) ** 2 + (dj * sy) ** 2 + (dk * sz) ** 2 <= c * c) offsets.push([di, dj, dk]);
  return (i, j, k) => {
    for (const [di, dj, dk] of offsets) {
      const a = i + di - (lo[0] as number);
      const b = j + dj - (lo[1] as number);
      const e = k + dk - (lo[2] as number);
      if (a < 0 || b < 0 || e < 0 || a >= bx || b >= by || e >= bz) continue;
      if (calcium[a + bx * (b + by * e)] === 1) return true;
    }
    return false;
  };
}
