/**
 * ExactShells with fewer segment evaluations and the same labels: voxel by voxel, a vessel whose
 * w provably exceeds one already found, or every region's outer bound, is not evaluated at all.
 *
 * Why the labels stay those of ExactShells. A voxel's labels depend on wMin (the smallest w), on
 * the vessels whose w equals it (with their s and r) and on whether wMin ≤ 0 (lumen). Let B be
 * the smallest w of the vessels evaluated so far: it is the exact w of one of them, so B ≥ wMin.
 * Over a cell's lists, a vessel's w is at least L = min over its parts of (dc_first − |v − c|) −
 * r_max, with dc_first the distance of the first (nearest) candidate of the part's list from the
 * cell centre (the bound of candidates.ts, within BOUND_SLACK_MM) and r_max the largest radius of
 * those candidates' segments. A vessel with L > B has w > B ≥ wMin: it neither owns the voxel nor
 * ties, and wMin is not its w; one with L > wMax has w > wMax, so it either does not have the
 * smallest w or the voxel gets no label at all. Either way +∞ in its place changes nothing, and
 * the vessel that has wMin is always evaluated (its L ≤ wMin ≤ B). Vessels are visited in the
 * order of their bound at the cell centre, so the nearest usually comes first and sets B.
 *
 * Within an evaluated vessel a part whose dc_first − |v − c| exceeds the vessel's best distance so
 * far cannot hold its nearest point nor tie with it; the winner is the smallest squared distance,
 * an exact tie going to the earlier part on the path, as in ExactShells.reduceVessel.
 */
import { PLANE_WORDS } from './constants';
import type { Candidates } from './candidates';
import { ExactShells } from './exact';
import { type ShellPlan, WORLD_WORDS } from './plan';

/**
 * Margin (mm) on the vessel bound against float64 rounding of L and of w (orders of 1e-13 mm;
 * the f32 rounding of dc is covered by BOUND_SLACK_MM inside qn).
 */
export const ROUND_MM = 1e-6;

export class BoundedShells extends ExactShells {
  /** The cell whose bounds are loaded (−1: none). */
  private boundCell = -1;
  /** Per part: dc_first of its list in the loaded cell (+∞ when empty) and r_max of its segments. */
  private readonly partFirst: Float64Array;
  private readonly partRMax: Float64Array;
  /** Per vessel: min of dc_first over its parts, r_max over them, in the loaded cell. */
  private readonly vesselFirst: Float64Array;
  private readonly vesselRMax: Float64Array;
  /** The vessels in ascending order of their bound at the loaded cell's centre. */
  private readonly order: Int32Array;
  /** Per vessel, its parts (global indices) in ascending dc_first, with their positions on its path. */
  private readonly partOrder: Int32Array[];
  private readonly partPos: Int32Array[];
  /** Per part: the voxel (stamp) whose scan partD2 … hold. */
  private readonly scanned: Int32Array;
  private stamp = 0;

  constructor(plan: ShellPlan, cands: Candidates) {
    super(plan, cands);
    const P = plan.parts.length;
    const V = plan.vessels.length;
    this.partFirst = new Float64Array(P);
    this.partRMax = new Float64Array(P);
    this.vesselFirst = new Float64Array(V);
    this.vesselRMax = new Float64Array(V);
    this.order = new Int32Array(V);
    this.partOrder = this.paths.map((path) => Int32Array.from(path));
    this.partPos = this.paths.map((path) => new Int32Array(path.length));
    this.scanned = new Int32Array(P).fill(-1);
  }

  override locate(i: number, j: number, k: number): void {
    this.place(i, j, k);
    if (this.cell !== this.boundCell) this.loadCell(this.cell);
    // A fresh stamp: no part is scanned for this voxel yet (wraps after 2³¹ voxels, never reused
    // within one voxel).
    this.stamp = (this.stamp + 1) | 0;
    const qn = this.qn;
    const wMax = this.plan.wMax;
    const V = this.order.length;
    let B = Infinity;
    for (let n = 0; n < V; n++) {
      const v = this.order[n] as number;
      const L = (this.vesselFirst[v] as number) - qn - (this.vesselRMax[v] as number) - ROUND_MM;
      if (L > B || L > wMax) {
        this.w[v] = Infinity;
        continue;
      }
      this.evaluateVessel(v);
      const w = this.w[v] as number;
      if (w < B) B = w;
    }
  }

  /** Exact w, s and r of vessel v (its parts nearest first, skipping those that cannot hold its nearest point). */
  private evaluateVessel(v: number): void {
    const parts = this.partOrder[v] as Int32Array;
    const pos = this.partPos[v] as Int32Array;
    const qn = this.qn;
    let best = Infinity;
    let bestD = Infinity;
    let bestPos = 0;
    let G = -1;
    let t = 0;
    for (let q = 0; q < parts.length; q++) {
      const p = parts[q] as number;
      if ((this.partFirst[p] as number) - qn > bestD) break;
      if (this.scanned[p] !== this.stamp) {
        this.scanPart(p);
        this.scanned[p] = this.stamp;
      }
      const d2 = this.partD2[p] as number;
      const at = pos[q] as number;
      if (d2 < best || (d2 === best && at < bestPos)) {
        best = d2;
        bestD = Math.sqrt(d2);
        bestPos = at;
        G = this.partG[p] as number;
        t = this.partT[p] as number;
      }
    }
    this.setVessel(v, best, G, t);
  }

  /** The bounds of `cell`: per part and per vessel, and the orders. */
  private loadCell(cell: number): void {
    this.boundCell = cell;
    const { lists, plane, seg, partCount: P } = this.cands;
    const world = this.plan.world;
    for (let p = 0; p < P; p++) {
      const slot = 2 * (cell * P + p);
      const off = lists[slot] as number;
      const end = off + (lists[slot + 1] as number);
      let rMax = 0;
      for (let m = off; m < end; m++) {
        const o = (seg[m] as number) * WORLD_WORDS;
        const ra = world[o + 9] as number;
        // The radius at t ∈ [0, 1] is ra + t·Δr, rounded: never above max(ra, ra + Δr) as rounded.
        const rb = ra + (world[o + 10] as number);
        rMax = Math.max(rMax, ra, rb);
      }
      this.partFirst[p] = end > off ? (plane[off * PLANE_WORDS + 3] as number) : Infinity;
      this.partRMax[p] = rMax;
    }
    const V = this.paths.length;
    for (let v = 0; v < V; v++) {
      const path = this.paths[v] as Int32Array;
      const parts = this.partOrder[v] as Int32Array;
      const pos = this.partPos[v] as Int32Array;
      let first = Infinity;
      let rMax = 0;
      // Insertion sort of the path's parts by dc_first (paths are a few parts long).
      for (let q = 0; q < path.length; q++) {
        const p = path[q] as number;
        const d = this.partFirst[p] as number;
        first = Math.min(first, d);
        rMax = Math.max(rMax, this.partRMax[p] as number);
        let at = q;
        while (at > 0 && (this.partFirst[parts[at - 1] as number] as number) > d) {
          parts[at] = parts[at - 1] as number;
          pos[at] = pos[at - 1] as number;
          at--;
        }
        parts[at] = p;
        pos[at] = q;
      }
      this.vesselFirst[v] = first;
      this.vesselRMax[v] = rMax;
      const key = first - rMax;
      let at = v;
      while (at > 0) {
        const u = this.order[at - 1] as number;
        if ((this.vesselFirst[u] as number) - (this.vesselRMax[u] as number) <= key) break;
        this.order[at] = u;
        at--;
      }
      this.order[at] = v;
    }
  }
}
