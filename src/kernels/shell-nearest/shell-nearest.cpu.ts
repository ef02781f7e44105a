/**
 * CPU twin of shell-nearest.wgsl: the same f32 operations in the same order
 * (Math.fround after each), so state and owner words agree with the GPU bit for bit, entry for
 * entry of the live cells' chunks (src/shells/live-cells.ts).
 */
import type { Candidates } from '../../shells/candidates';
import {
  BAND_MM,
  BOUND_SLACK_MM,
  FAR_D2,
  LUMEN_BIT,
  NO_OWNER,
  PLANE_WORDS,
  S_UNSURE_BIT,
  SEGMENT_WORDS,
  TIE_SHIFT,
  UNDECIDED_BIT,
} from '../../shells/constants';
import { type LiveLayout, entryVoxel } from '../../shells/live-cells';
import type { ShellPlan } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';

const f = Math.fround;
const NONE = 0xffffffff;

/**
 * Per entry of the layout's chunks, one after the other: (d², s, r, r uncertainty) of the owner,
 * the owner word (owner index, flags, tie mask << TIE_SHIFT; NO_OWNER for a void entry), and the
 * entry's crop index (-1: void).
 */
export interface ShellState {
  readonly state: Float32Array;
  readonly owner: Uint32Array;
  readonly voxel: Int32Array;
  /** Segment evaluations (the kernel's work count). */
  readonly evaluations: number;
}

function popcount(x: number): number {
  let n = 0;
  for (let y = x >>> 0; y !== 0; y &= y - 1) n++;
  return n;
}

function sThresholdIn(t: ShellTables, f32: Float32Array, lesionCount: number, vi: number, lo: number, hi: number) {
  const straddles = (x: number): boolean => x >= f(lo - BAND_MM) && x <= f(hi + BAND_MM);
  const s0 = f32[4 * vi] as number;
  const s1 = f32[4 * vi + 1] as number;
  if ((s0 > 0 && straddles(s0)) || straddles(s1)) return true;
  for (let l = 0; l < lesionCount; l++) {
    const o = t.lesionOffset + 8 * l;
    if (t.words[o] === vi && (straddles(f32[o + 2] as number) || straddles(f32[o + 3] as number))) return true;
  }
  return false;
}

export function shellNearestCpu(
  plan: ShellPlan,
  cands: Candidates,
  tables: ShellTables,
  layout: LiveLayout,
): ShellState {
  const V = layout.cellVoxels;
  const n = layout.chunks.reduce((a, c) => a + c.count * V, 0);
  const state = new Float32Array(4 * n);
  const owner = new Uint32Array(n).fill(NO_OWNER);
  const voxel = new Int32Array(n).fill(-1);
  let evaluations = 0;
  const [cx, cy] = plan.cropDims;
  const [nx, ny, nz] = cands.grid.size;
  const [gx, gy] = cands.grid.counts;
  const [sx, sy, sz] = plan.spacing.map(f) as [number, number, number];
  const P = plan.parts.length;
  const seg = plan.segments32;
  const { lists, plane, seg: candSeg } = cands;
  const words = tables.words;
  const f32 = new Float32Array(words.buffer, words.byteOffset, words.length);
  const vessels = plan.vessels.length;
  const L = plan.lesions.length;
  const hx = f(0.5 * (nx - 1));
  const hy = f(0.5 * (ny - 1));
  const hz = f(0.5 * (nz - 1));
  let e0 = 0;
  for (const chunk of layout.chunks) {
    for (let t = 0; t < chunk.count * V; t++) {
      const c = entryVoxel(layout, plan.cropDims, chunk, t);
      if (c >= 0) voxel[e0 + t] = c;
    }
    e0 += chunk.count * V;
  }
  for (let v = 0; v < n; v++) {
    const c = voxel[v] as number;
    if (c < 0) continue;
    const k = Math.floor(c / (cx * cy));
    const j = Math.floor((c - k * cx * cy) / cx);
    const i = c - k * cx * cy - j * cx;
    const ci = Math.floor(i / nx);
    const cj = Math.floor(j / ny);
    const ck = Math.floor(k / nz);
    const cell = ci + gx * (cj + gy * ck);
    const qx = f(f(i - ci * nx - hx) * sx);
    const qy = f(f(j - cj * ny - hy) * sy);
    const qz = f(f(k - ck * nz - hz) * sz);
    const qn = f(f(Math.sqrt(f(f(f(qx * qx) + f(qy * qy)) + f(qz * qz)))) + BOUND_SLACK_MM);
    const px = f(i * sx);
    const py = f(j * sy);
    const pz = f(k * sz);
    let code = NO_OWNER;
    let st0 = 0;
    let st1 = 0;
    let st2 = 0;
    let st3 = 0;
    let ownW = 0;
    let ownU = 0;
    let ownMask = 0;
    let owned = false;
    let rivalLo = FAR_D2;
    for (let vi = 0; vi < vessels; vi++) {
      const pathStart = words[4 * vi + 2] as number;
      const pathCount = words[4 * vi + 3] as number;
      let best = FAR_D2;
      let bestD = FAR_D2;
      let bestG = NONE;
      let bestPart = NONE;
      let bestT = 0;
      let bound2 = FAR_D2;
      let sLo = FAR_D2;
      let sHi = -FAR_D2;
      let rLo = FAR_D2;
      let rHi = -FAR_D2;
      let mask = 0;
      for (let q = 0; q < pathCount; q++) {
        const part = words[tables.pathOffset + pathStart + q] as number;
        const slot = 2 * (cell * P + part);
        const first = lists[slot] as number;
        const end = first + (lists[slot + 1] as number);
        for (let m = first; m < end; m++) {
          const o4 = m * PLANE_WORDS;
          const dc = plane[o4 + 3] as number;
          if (f(dc - qn) > f(bestD + BAND_MM)) break;
          const lb = f(
            f(
              f(f(dc + f(qx * (plane[o4] as number))) + f(qy * (plane[o4 + 1] as number))) +
                f(qz * (plane[o4 + 2] as number)),
            ) - BOUND_SLACK_MM,
          );
          if (lb > f(bestD + BAND_MM)) continue;
          const g = candSeg[m] as number;
          evaluations++;
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
            t = f(f(f(f(vx * ex) + f(vy * ey)) + f(vz * ez)) / len2);
            t = Math.min(Math.max(t, 0), 1);
          }
          const dx = f(vx - f(t * ex));
          const dy = f(vy - f(t * ey));
          const dz = f(vz - f(t * ez));
          const d2 = f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz));
          if (d2 < best || (d2 === best && part === bestPart && g < bestG)) {
            const dist = f(Math.sqrt(d2));
            if (f(dist + BAND_MM) < bestD) {
              sLo = FAR_D2;
              sHi = -FAR_D2;
              rLo = FAR_D2;
              rHi = -FAR_D2;
              mask = 0;
            }
            best = d2;
            bestD = dist;
            bestG = g;
            bestPart = part;
            bestT = t;
            const b = f(bestD + BAND_MM);
            bound2 = f(b * b);
          }
          if (d2 <= bound2) {
            const s = f((seg[o + 7] as number) + f(t * (seg[o + 8] as number)));
            const r = f((seg[o + 9] as number) + f(t * (seg[o + 10] as number)));
            sLo = Math.min(sLo, s);
            sHi = Math.max(sHi, s);
            rLo = Math.min(rLo, r);
            rHi = Math.max(rHi, r);
            mask = (mask | (1 << part)) >>> 0;
          }
        }
      }
      if (bestG === NONE) continue;
      const o = bestG * SEGMENT_WORDS;
      const s = f((seg[o + 7] as number) + f(bestT * (seg[o + 8] as number)));
      const r = f((seg[o + 9] as number) + f(bestT * (seg[o + 10] as number)));
      const w = f(f(Math.sqrt(best)) - r);
      const u = Math.max(f(r - rLo), f(rHi - r));
      if (best <= f(r * r)) code |= LUMEN_BIT;
      if (Math.abs(w) <= f(BAND_MM + u)) code |= UNDECIDED_BIT;
      let sharedExact = false;
      if (owned) sharedExact = mask === ownMask && popcount(mask) === 1;
      if (owned && sharedExact && w === ownW) {
        // An exact tie in a shared part (shell-nearest.wgsl): the vessel joins the tie mask.
        code |= 1 << (TIE_SHIFT + vi);
        if (sThresholdIn(tables, f32, L, vi, sLo, sHi)) code |= S_UNSURE_BIT;
      } else if (!owned || w < ownW) {
        if (owned) rivalLo = Math.min(rivalLo, f(ownW - ownU));
        owned = true;
        ownW = w;
        ownU = u;
        ownMask = mask;
        st0 = best;
        st1 = s;
        st2 = r;
        st3 = u;
        code = (code & (LUMEN_BIT | UNDECIDED_BIT)) | vi | (1 << (TIE_SHIFT + vi));
        if (sThresholdIn(tables, f32, L, vi, sLo, sHi)) code |= S_UNSURE_BIT;
      } else {
        rivalLo = Math.min(rivalLo, f(w - u));
      }
    }
    // Ownership judged against the final owner's rivals only (shell-nearest.wgsl).
    if (owned && f(f(rivalLo - ownW) - ownU) <= f(2 * BAND_MM)) code |= UNDECIDED_BIT;
    state[4 * v] = st0;
    state[4 * v + 1] = st1;
    state[4 * v + 2] = st2;
    state[4 * v + 3] = st3;
    owner[v] = code >>> 0;
  }
  return { state, owner, voxel, evaluations };
}
