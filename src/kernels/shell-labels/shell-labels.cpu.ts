/**
 * CPU twin of shell-labels.wgsl: one tie layer (VOI, rings) and one lesion layer of the crop from
 * the merged shell state, and the voxels left to the host (with their reasons). Same f32 operations
 * in the same order as the WGSL, so labels agree voxel for voxel.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../../measure/pericoronary-types';
import {
  BAND_MM,
  LUMEN_BIT,
  NO_OWNER,
  S_UNSURE_BIT,
  TIE_SHIFT,
  UNDECIDED_BIT,
  UNDECIDED_REASONS as R,
} from '../../shells/constants';
import type { ShellPlan } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';
import type { ShellState } from '../shell-nearest/shell-nearest.cpu';

const f = Math.fround;
const sq = (x: number): number => f(x * x);

export interface ShellLabelsCpu {
  /** Tie layer `layer`: the VOI and ring labels of each voxel's layer-th tied owner (0 past the plan's). */
  readonly voi: Uint8Array;
  readonly rings: Uint8Array;
  /** Lesion layer `layer`, or null without lesions or past plan.lesionLayerCount. */
  readonly lesion: Uint8Array | null;
  /** Crop indices of the undecided voxels, ascending, and their reason | owner << 8. */
  readonly undecided: Uint32Array;
  readonly reasons: Uint32Array;
}

/** The layer-th vessel of a tie mask (in index order), or NO_OWNER (tiedVessel in the WGSL). */
function tiedVessel(ties: number, layer: number): number {
  let m = ties;
  for (let t = 0; t < layer; t++) m &= m - 1;
  return m === 0 ? NO_OWNER : 31 - Math.clz32(m & -m);
}

/**
 * shell_labels.wgsl for one layer (tie and lesion), over the entries of `st` (shellNearestCpu's):
 * layers of the whole crop. `guardDist` holds the crop's squared distances to calcium (or null
 * when the guard is off).
 */
export function shellLabelsCpu(
  plan: ShellPlan,
  st: ShellState,
  tables: ShellTables,
  guardDist: Float32Array | null,
  layer: number,
): ShellLabelsCpu {
  const n = plan.cropVoxels;
  const words = tables.words;
  const t32 = new Float32Array(words.buffer, words.byteOffset, words.length);
  const L = plan.lesions.length;
  const guard2 = plan.guardMm !== null ? f(plan.guardMm * plan.guardMm) : 0;
  const guardOn = guardDist !== null && plan.guardMm !== null;
  const gap = f(plan.wallGap);
  const width = f(RING_WIDTH_MM);
  const voi = new Uint8Array(n);
  const rings = new Uint8Array(n);
  const lesion = L > 0 && layer < plan.lesionLayerCount ? new Uint8Array(n) : null;
  const undecided: number[] = [];
  const reasons: number[] = [];
  const near = (x: number, threshold: number, band: number): boolean => Math.abs(f(x - threshold)) <= band;

  const reasonOf = (e: number, v: number): number => {
    const code = st.owner[e] as number;
    if ((code & 0xff) === NO_OWNER) return 0;
    const d2 = st.state[4 * e] as number;
    const r = st.state[4 * e + 2] as number;
    const u = st.state[4 * e + 3] as number;
    const w = f(f(Math.sqrt(d2)) - r);
    const reach = Math.max(f(2 * r), f(RING_COUNT * width));
    if (w > f(f(reach + BAND_MM) + f(3 * u))) return 0;
    if ((code & UNDECIDED_BIT) !== 0) return R.R_GEOMETRY.code;
    if ((code & LUMEN_BIT) !== 0) return 0;
    if (guardOn && near(f(Math.sqrt(guardDist[v] as number)), f(Math.sqrt(guard2)), BAND_MM)) return R.R_GUARD.code;
    if (gap > 0 && near(w, gap, f(BAND_MM + u))) return R.R_GAP.code;
    if (near(w, f(2 * r), f(BAND_MM + f(3 * u)))) return R.R_VOI.code;
    if (near(w, f(Math.round(f(w / width)) * width), f(BAND_MM + u))) return R.R_RING.code;
    if ((code & S_UNSURE_BIT) !== 0) return R.R_ARC.code;
    return 0;
  };

  for (let e = 0; e < st.owner.length; e++) {
    const v = st.voxel[e] as number;
    if (((st.owner[e] as number) & 0xff) === NO_OWNER) continue;
    const reason = reasonOf(e, v);
    if (reason !== 0) {
      undecided.push(v);
      reasons.push(reason | (((st.owner[e] as number) & 0xff) << 8));
      continue;
    }
    const code = st.owner[e] as number;
    if ((code & 0xff) === NO_OWNER || (code & LUMEN_BIT) !== 0) continue;
    const ties = code >>> TIE_SHIFT;
    const o = tiedVessel(ties, layer);
    if (guardOn && (guardDist[v] as number) <= guard2) continue;
    const d2 = st.state[4 * e] as number;
    const s = st.state[4 * e + 1] as number;
    const r = st.state[4 * e + 2] as number;
    const w = f(f(Math.sqrt(d2)) - r);
    if (d2 <= sq(f(r + gap))) continue;
    const inVoi = d2 <= sq(f(3 * r));
    const inSeg = o !== NO_OWNER && s >= (t32[4 * o] as number) && s <= (t32[4 * o + 1] as number);
    if (inSeg && inVoi) voi[v] = 1 + o;
    if (inSeg && w <= f(f(RING_COUNT * width) + width)) {
      let k = Math.max(Math.ceil(f(w / width)) - 1, 0);
      if (k > 0 && d2 <= sq(f(r + f(k * width)))) k -= 1;
      else if (d2 > sq(f(r + f((k + 1) * width)))) k += 1;
      const inner = sq(f(r + f(k * width)));
      const outerK = sq(f(r + f((k + 1) * width)));
      if (k < RING_COUNT && d2 > inner && d2 <= outerK) rings[v] = 1 + o * RING_COUNT + k;
    }
    if (inVoi && lesion) {
      for (let l = 0; l < L; l++) {
        const b = tables.lesionOffset + 8 * l;
        const start = t32[b + 2] as number;
        const end = t32[b + 3] as number;
        if (words[b + 4] === layer && ((ties >>> (words[b] as number)) & 1) !== 0 && s >= start && s <= end) {
          lesion[v] = words[b + 1] as number;
          break;
        }
      }
    }
  }
  // Ascending crop index, as the host sorts the GPU's list.
  const order = undecided.map((_, q) => q).sort((a, b) => (undecided[a] as number) - (undecided[b] as number));
  return {
    voi,
    rings,
    lesion,
    undecided: Uint32Array.from(order, (q) => undecided[q] as number),
    reasons: Uint32Array.from(order, (q) => reasons[q] as number),
  };
}
