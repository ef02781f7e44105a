/**
 * CPU reference of the shell kernels: shaders/shell_refine.wgsl (nearest polyline point per vessel,
 * merged into ownership), shell_calcium.wgsl (calcium mask) and shell_labels.wgsl (VOI, ring and
 * lesion layers). Same f32 operations in the same order as the WGSL (Math.fround after each), so
 * the labels agree voxel for voxel. `nearestOnPolylineBrute` is the f64 brute-force oracle.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../measure/pericoronary-types';
import {
  FAR_W,
  BAND_MM,
  LUMEN_BIT,
  UNDECIDED_BIT,
  NO_OWNER,
  NO_SITE,
  SEED_WORDS,
  SEGMENT_WORDS,
  type LesionEntry,
  type ShellPlan,
  type VesselTable,
} from '../kernels/shell-plan';
import type { Vec3 } from '../volume/geometry';

const f = Math.fround;

/** Per crop voxel: w, d², s, r of the owning vessel, and owner | LUMEN_BIT. */
export interface ShellState {
  readonly w: Float32Array;
  readonly d2: Float32Array;
  readonly s: Float32Array;
  readonly r: Float32Array;
  readonly owner: Uint32Array;
}

export function newShellState(voxels: number): ShellState {
  return {
    w: new Float32Array(voxels).fill(FAR_W),
    d2: new Float32Array(voxels),
    s: new Float32Array(voxels),
    r: new Float32Array(voxels),
    owner: new Uint32Array(voxels).fill(NO_OWNER),
  };
}

/** Index of the seed record of domain voxel `site` (seeds sorted by voxel), as the WGSL search. */
function findSeed(seeds: Uint32Array, count: number, site: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((seeds[mid * SEED_WORDS] as number) < site) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Result slot of `project` (no allocation per call in the hot loop). */
const proj = { d2: 0, t: 0 };

/** project() of shell_refine.wgsl: (d², t) of the projection of p onto segment g. */
function project(seg: Float32Array, g: number, px: number, py: number, pz: number): void {
  const o = g * SEGMENT_WORDS;
  const vx = f(px - (seg[o] as number));
  const vy = f(py - (seg[o + 1] as number));
  const vz = f(pz - (seg[o + 2] as number));
  const ex = seg[o + 3] as number;
  const ey = seg[o + 4] as number;
  const ez = seg[o + 5] as number;
  const len2 = seg[o + 6] as number;
  let t = 0;
  if (len2 > 0) {
    const dp = f(f(f(vx * ex) + f(vy * ey)) + f(vz * ez));
    t = Math.min(Math.max(f(dp / len2), 0), 1);
  }
  const qx = f(vx - f(t * ex));
  const qy = f(vy - f(t * ey));
  const qz = f(vz - f(t * ez));
  proj.d2 = f(f(f(qx * qx) + f(qy * qy)) + f(qz * qz));
  proj.t = t;
}

/** Result slot of `basin`. */
const res = { d2: 0, t: 0, g: 0, lo: 0, hi: 0 };

/** basin() of shell_refine.wgsl: window of seed record `rec`, then the walk past either end. */
function basin(
  seg: Float32Array,
  seeds: Uint32Array,
  segCount: number,
  rec: number,
  px: number,
  py: number,
  pz: number,
): void {
  const segLo = seeds[rec * SEED_WORDS + 1] as number;
  const segHi = seeds[rec * SEED_WORDS + 2] as number;
  let best = FAR_W;
  let bestT = 0;
  let bestG = segLo;
  for (let g = segLo; g <= segHi; g++) {
    project(seg, g, px, py, pz);
    if (proj.d2 < best) {
      best = proj.d2;
      bestT = proj.t;
      bestG = g;
    }
  }
  let hiG = segHi;
  while (bestG === hiG && bestT >= 1 && hiG + 1 < segCount) {
    hiG++;
    project(seg, hiG, px, py, pz);
    if (!(proj.d2 < best)) break;
    best = proj.d2;
    bestT = proj.t;
    bestG = hiG;
  }
  let loG = segLo;
  while (bestG === loG && bestT <= 0 && loG > 0) {
    loG--;
    project(seg, loG, px, py, pz);
    if (!(proj.d2 < best)) break;
    best = proj.d2;
    bestT = proj.t;
    bestG = loG;
  }
  res.d2 = best;
  res.t = bestT;
  res.g = bestG;
  res.lo = loG;
  res.hi = hiG;
}

/** shell_refine.wgsl for one vessel: refine against its feature transform `ft` and merge into `st`. */
export function refineVesselCpu(
  plan: ShellPlan,
  table: VesselTable,
  ft: Uint32Array,
  st: ShellState,
  first: boolean,
): void {
  const [cx, cy, cz] = plan.cropDims;
  const [ox, oy, oz] = plan.cropOffset;
  const [dx, dy] = plan.domainDims;
  const [sx, sy, sz] = plan.spacing;
  const seg = table.segments;
  const seeds = table.seeds;
  let c = 0;
  for (let k = 0; k < cz; k++) {
    const dk = k + oz;
    for (let j = 0; j < cy; j++) {
      const dj = j + oy;
      for (let i = 0; i < cx; i++, c++) {
        const di = i + ox;
        const site = ft[di + dx * (dj + dy * dk)] as number;
        let far = true;
        let best = 0;
        let s = 0;
        let r = 0;
        if (site !== NO_SITE) {
          const ax = f((di - (site % dx)) * sx);
          const ay = f((dj - (Math.floor(site / dx) % dy)) * sy);
          const az = f((dk - Math.floor(site / (dx * dy))) * sz);
          const dq2 = f(f(f(ax * ax) + f(ay * ay)) + f(az * az));
          if (dq2 <= table.farCut2) {
            far = false;
            const px = f(di * sx);
            const py = f(dj * sy);
            const pz = f(dk * sz);
            basin(seg, seeds, table.segmentCount, findSeed(seeds, table.seedCount, site), px, py, pz);
            let bD2 = res.d2;
            let bT = res.t;
            let bG = res.g;
            const ownLo = res.lo;
            const ownHi = res.hi;
            for (let nb = 0; nb < 6; nb++) {
              const axis = nb >> 1;
              const step = (nb & 1) === 1 ? 1 : -1;
              const q = [di, dj, dk];
              q[axis] = (q[axis] as number) + step;
              if ((q[axis] as number) < 0 || (q[axis] as number) >= (plan.domainDims[axis] as number)) continue;
              const other = ft[(q[0] as number) + dx * ((q[1] as number) + dy * (q[2] as number))] as number;
              if (other === NO_SITE || other === site) continue;
              const rec = findSeed(seeds, table.seedCount, other);
              const wLo = seeds[rec * SEED_WORDS + 1] as number;
              const wHi = seeds[rec * SEED_WORDS + 2] as number;
              if (wHi >= ownLo && wLo <= ownHi) continue;
              basin(seg, seeds, table.segmentCount, rec, px, py, pz);
              if (res.d2 < bD2) {
                bD2 = res.d2;
                bT = res.t;
                bG = res.g;
              }
            }
            best = bD2;
            const o = bG * SEGMENT_WORDS;
            s = f((seg[o + 7] as number) + f(bT * (seg[o + 8] as number)));
            r = f((seg[o + 9] as number) + f(bT * (seg[o + 10] as number)));
          }
        }
        let prevW = FAR_W;
        let code = NO_OWNER;
        if (!first) {
          prevW = st.w[c] as number;
          code = st.owner[c] as number;
        } else {
          st.w[c] = FAR_W;
          st.d2[c] = 0;
          st.s[c] = 0;
          st.r[c] = 0;
        }
        if (!far) {
          if (best <= f(r * r)) code |= LUMEN_BIT;
          const w = f(f(Math.sqrt(best)) - r);
          if (Math.abs(w) <= BAND_MM || (prevW < FAR_W && Math.abs(f(w - prevW)) <= BAND_MM)) code |= UNDECIDED_BIT;
          if (w < prevW) {
            st.w[c] = w;
            st.d2[c] = best;
            st.s[c] = s;
            st.r[c] = r;
            code = (code & ~0xff) | table.index;
          }
        }
        st.owner[c] = code;
      }
    }
  }
}

/** shell_calcium.wgsl: HU ≥ calciumHu outside every lumen. */
export function calciumMaskCpu(hu: Int16Array, st: ShellState, calciumHu: number): Uint8Array {
  const m = new Uint8Array(hu.length);
  for (let v = 0; v < hu.length; v++) {
    if ((hu[v] as number) >= calciumHu && ((st.owner[v] as number) & LUMEN_BIT) === 0) m[v] = 1;
  }
  return m;
}

const sq = (x: number): number => f(x * x);

/**
 * shell_labels.wgsl: voi, rings and one lesion layer (null when `lesions` is empty) of the crop.
 * `guardDist` holds squared distances to calcium (or null when the guard is off).
 */
export function shellLabelsCpu(
  plan: ShellPlan,
  st: ShellState,
  guardDist: Float32Array | null,
  layer: number,
): { voi: Uint8Array; rings: Uint8Array; lesion: Uint8Array | null; undecided: Uint32Array } {
  const lesions = plan.lesionLayers[layer] ?? [];
  const allLesions = plan.lesionLayers.flat();
  const n = plan.cropVoxels;
  const undecided: number[] = [];
  const voi = new Uint8Array(n);
  const rings = new Uint8Array(n);
  const lesion = lesions.length > 0 ? new Uint8Array(n) : null;
  const width = f(RING_WIDTH_MM);
  const outer = f(RING_COUNT * width);
  const prefilter = f(outer + width);
  const gap = plan.wallGap;
  const guard2 = plan.guard2;
  for (let v = 0; v < n; v++) {
    if (isUndecided(plan, st, guardDist, allLesions, v)) {
      undecided.push(v);
      continue;
    }
    const code = st.owner[v] as number;
    const o = code & 0xff;
    if (o === NO_OWNER || (code & LUMEN_BIT) !== 0) continue;
    if (guardDist !== null && guard2 !== null && (guardDist[v] as number) <= guard2) continue;
    const w = st.w[v] as number;
    const d2 = st.d2[v] as number;
    const s = st.s[v] as number;
    const r = st.r[v] as number;
    if (d2 <= sq(f(r + gap))) continue;
    const inVoi = d2 <= sq(f(3 * r));
    const table = plan.vessels[o] as VesselTable;
    const inSeg = s >= table.s0 && s <= table.s1;
    if (inSeg && inVoi) voi[v] = 1 + o;
    if (inSeg && w <= prefilter) {
      let k = Math.max(Math.ceil(f(w / width)) - 1, 0);
      if (k > 0 && d2 <= sq(f(r + f(k * width)))) k -= 1;
      else if (d2 > sq(f(r + f((k + 1) * width)))) k += 1;
      const inner = sq(f(r + f(k * width)));
      const outerK = sq(f(r + f((k + 1) * width)));
      if (k < RING_COUNT && d2 > inner && d2 <= outerK) rings[v] = 1 + o * RING_COUNT + k;
    }
    if (inVoi && lesion) {
      for (const l of lesions) {
        if (l.vessel === o && s >= l.start && s <= l.end) {
          lesion[v] = l.label;
          break;
        }
      }
    }
  }
  return { voi, rings, lesion, undecided: Uint32Array.from(undecided) };
}

const near = (x: number, threshold: number): boolean => Math.abs(f(x - threshold)) <= BAND_MM;

/** isUndecided() of shell_labels.wgsl. */
function isUndecided(
  plan: ShellPlan,
  st: ShellState,
  guardDist: Float32Array | null,
  lesions: readonly LesionEntry[],
  v: number,
): boolean {
  const code = st.owner[v] as number;
  const o = code & 0xff;
  if (o === NO_OWNER) return false;
  const w = st.w[v] as number;
  const s = st.s[v] as number;
  const r = st.r[v] as number;
  const width = f(RING_WIDTH_MM);
  const reach = Math.max(f(2 * r), f(RING_COUNT * width));
  if (w > f(reach + BAND_MM)) return false;
  if ((code & UNDECIDED_BIT) !== 0) return true;
  if ((code & LUMEN_BIT) !== 0) return false;
  const guard2 = plan.guard2;
  if (guardDist !== null && guard2 !== null && near(f(Math.sqrt(guardDist[v] as number)), f(Math.sqrt(guard2)))) {
    return true;
  }
  if (plan.wallGap > 0 && near(w, plan.wallGap)) return true;
  if (near(w, f(2 * r)) || near(w, f(Math.round(f(w / width)) * width))) return true;
  const table = plan.vessels[o] as VesselTable;
  const nearS = (t: number): boolean => Math.abs(f(s - t)) <= table.sBand;
  if ((table.s0 > 0 && nearS(table.s0)) || nearS(table.s1)) return true;
  return lesions.some((l) => l.vessel === o && (nearS(l.start) || nearS(l.end)));
}

/**
 * f64 brute-force oracle of §4's nearest point: every segment of the polyline, exact projection,
 * ties to the smaller arc length. Points and voxel position in the same mm frame.
 */
export function nearestOnPolylineBrute(
  points: readonly Vec3[],
  radii: readonly number[],
  arc: ArrayLike<number>,
  v: Vec3,
): { d: number; s: number; r: number; w: number } {
  let best = { d2: Infinity, s: 0, r: 0 };
  const nSeg = Math.max(1, points.length - 1);
  for (let g = 0; g < nSeg; g++) {
    const a = points[g] as Vec3;
    const b = points[Math.min(g + 1, points.length - 1)] as Vec3;
    const e = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const len2 = (e[0] as number) ** 2 + (e[1] as number) ** 2 + (e[2] as number) ** 2;
    const va = [v[0] - a[0], v[1] - a[1], v[2] - a[2]];
    let t = 0;
    if (len2 > 0) {
      t =
        ((va[0] as number) * (e[0] as number) +
          (va[1] as number) * (e[1] as number) +
          (va[2] as number) * (e[2] as number)) /
        len2;
      t = Math.min(1, Math.max(0, t));
    }
    const q = [0, 1, 2].map((c) => (va[c] as number) - t * (e[c] as number));
    const d2 = (q[0] as number) ** 2 + (q[1] as number) ** 2 + (q[2] as number) ** 2;
    if (d2 < best.d2) {
      const sa = arc[g] as number;
      const sb = arc[Math.min(g + 1, points.length - 1)] as number;
      const ra = radii[g] as number;
      const rb = radii[Math.min(g + 1, points.length - 1)] as number;
      best = { d2, s: sa + t * (sb - sa), r: ra + t * (rb - ra) };
    }
  }
  const d = Math.sqrt(best.d2);
  return { d, s: best.s, r: best.r, w: d - best.r };
}
