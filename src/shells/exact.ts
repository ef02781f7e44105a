/**
 * METHOD.md §4 in float64, voxel by voxel, over the candidate index: the CPU backend runs it on
 * every voxel of the crop, the GPU backend on the voxels its f32 kernels leave undecided. Every
 * distance is computed with the operations of the brute-force oracle (voxel centre from the
 * geometry as voxelToWorld does, segment projection clamped to [0, 1], ties to the smaller arc
 * length), so the labels are those of the definition bit for bit; the index only skips segments
 * that provably cannot be the nearest. A voxel belongs to every vessel whose w equals the smallest
 * exactly (METHOD.md §4: an exact tie counts for every tied vessel), each with its own s and r.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../measure/pericoronary-types';
import { BOUND_SLACK_MM, PLANE_WORDS } from './constants';
import type { Candidates } from './candidates';
import { type ShellPlan, WORLD_WORDS } from './plan';

/** The region labels of one voxel. */
export interface VoxelLabels {
  /** Per tied owning vessel (in index order; one entry without a tie): 1 + vessel, or 0. */
  voi: number[];
  /** Per tied owning vessel: 1 + vessel·RING_COUNT + k, or 0. */
  ring: number[];
  /** Indices of the lesions whose region holds the voxel, ascending. */
  lesions: number[];
}

export class ExactShells {
  /** Per vessel after locate(): w (+∞ when farther than the cutoff), s and r of the nearest point. */
  readonly w: Float64Array;
  readonly s: Float64Array;
  readonly r: Float64Array;
  /** Segment projections evaluated so far (the work the index leaves). */
  evaluations = 0;
  /**
   * Results of label(): the owning vessels tied at the smallest w (tieCount of them, in index
   * order), the VOI and ring label of each (tieVoi[t], tieRing[t], 0 for none), and the lesions.
   */
  tieCount = 0;
  readonly tieVoi: Int32Array;
  readonly tieRing: Int32Array;
  lesionCount = 0;
  readonly lesionHits: Int32Array;
  private readonly tied: Int32Array;

  protected readonly partD2: Float64Array;
  protected readonly partG: Int32Array;
  protected readonly partT: Float64Array;
  protected readonly paths: Int32Array[];
  // Scalars of the geometry and the grid, unpacked once: the per-voxel loop reads only locals.
  private readonly k: Float64Array;
  private readonly cellDims: Int32Array;
  /**
   * The voxel place() set: its centre in the world frame (vx, vy, vz), its offset from its cell's
   * centre in the crop-local frame (qx, qy, qz), |q| + BOUND_SLACK_MM (qn), and its cell.
   */
  protected vx = 0;
  protected vy = 0;
  protected vz = 0;
  protected qx = 0;
  protected qy = 0;
  protected qz = 0;
  protected qn = 0;
  protected cell = 0;

  constructor(
    readonly plan: ShellPlan,
    readonly cands: Candidates,
  ) {
    const V = plan.vessels.length;
    const P = plan.parts.length;
    this.w = new Float64Array(V);
    this.s = new Float64Array(V);
    this.r = new Float64Array(V);
    this.partD2 = new Float64Array(P);
    this.partG = new Int32Array(P);
    this.partT = new Float64Array(P);
    this.paths = plan.vessels.map((v) => Int32Array.from(v.parts));
    const geo = plan.geometry;
    const d = geo.direction;
    this.k = Float64Array.from([
      ...geo.origin,
      ...d,
      ...geo.spacing,
      ...plan.crop.lo,
      ...plan.spacing,
      ...cands.grid.size.map((n) => (n - 1) / 2),
    ]);
    this.cellDims = Int32Array.from([...cands.grid.size, ...cands.grid.counts]);
    this.lesionHits = new Int32Array(plan.lesions.length);
    this.tieVoi = new Int32Array(V);
    this.tieRing = new Int32Array(V);
    this.tied = new Int32Array(V);
  }

  /** VOI label of the lowest-index owner (tie layer 0), after label(). */
  get voi(): number {
    return this.tieCount > 0 ? (this.tieVoi[0] as number) : 0;
  }

  /** Ring label of the lowest-index owner (tie layer 0), after label(). */
  get ring(): number {
    return this.tieCount > 0 ? (this.tieRing[0] as number) : 0;
  }

  /** Nearest point of every vessel to crop voxel (i, j, k): fills w, s, r. */
  locate(i: number, j: number, k: number): void {
    this.place(i, j, k);
    const P = this.cands.partCount;
    for (let p = 0; p < P; p++) this.scanPart(p);
    const V = this.paths.length;
    for (let v = 0; v < V; v++) this.reduceVessel(v);
  }

  /** Sets the voxel fields (vx … cell) for crop voxel (i, j, k). */
  protected place(i: number, j: number, k: number): void {
    const K = this.k;
    const C = this.cellDims;
    // The voxel centre exactly as voxelToWorld computes it (the oracle's arithmetic).
    const a = ((K[15] as number) + i) * (K[12] as number);
    const b = ((K[16] as number) + j) * (K[13] as number);
    const c = ((K[17] as number) + k) * (K[14] as number);
    this.vx = (K[0] as number) + (K[3] as number) * a + (K[4] as number) * b + (K[5] as number) * c;
    this.vy = (K[1] as number) + (K[6] as number) * a + (K[7] as number) * b + (K[8] as number) * c;
    this.vz = (K[2] as number) + (K[9] as number) * a + (K[10] as number) * b + (K[11] as number) * c;
    // Offset from the cell centre in the crop-local frame (for the lower bounds only).
    const nx = C[0] as number;
    const ny = C[1] as number;
    const nz = C[2] as number;
    const ci = (i / nx) | 0;
    const cj = (j / ny) | 0;
    const ck = (k / nz) | 0;
    this.cell = ci + (C[3] as number) * (cj + (C[4] as number) * ck);
    const qx = (i - ci * nx - (K[21] as number)) * (K[18] as number);
    const qy = (j - cj * ny - (K[22] as number)) * (K[19] as number);
    const qz = (k - ck * nz - (K[23] as number)) * (K[20] as number);
    this.qx = qx;
    this.qy = qy;
    this.qz = qz;
    this.qn = Math.sqrt(qx * qx + qy * qy + qz * qz) + BOUND_SLACK_MM;
  }

  /**
   * Nearest segment of part p to the placed voxel, over its cell's list: partD2[p] (+∞ for an
   * empty list), partG[p], partT[p]. The smallest squared distance wins, an exact tie the smaller
   * segment index (the smaller arc length).
   */
  protected scanPart(p: number): void {
    const plane = this.cands.plane;
    const seg = this.cands.seg;
    const world = this.plan.world;
    const vx = this.vx;
    const vy = this.vy;
    const vz = this.vz;
    const qx = this.qx;
    const qy = this.qy;
    const qz = this.qz;
    const qn = this.qn;
    const slot = 2 * (this.cell * this.cands.partCount + p);
    const off = this.cands.lists[slot] as number;
    const end = off + (this.cands.lists[slot + 1] as number);
    let best = Infinity;
    let bestD = Infinity;
    let bestG = -1;
    let bestT = 0;
    let evaluated = 0;
    for (let m = off; m < end; m++) {
      const o4 = m * PLANE_WORDS;
      const dc = plane[o4 + 3] as number;
      if (dc - qn > bestD) break;
      const lb =
        dc +
        qx * (plane[o4] as number) +
        qy * (plane[o4 + 1] as number) +
        qz * (plane[o4 + 2] as number) -
        BOUND_SLACK_MM;
      if (lb > bestD) continue;
      const G = seg[m] as number;
      const o = G * WORLD_WORDS;
      const wx = vx - (world[o] as number);
      const wy = vy - (world[o + 1] as number);
      const wz = vz - (world[o + 2] as number);
      const ex = world[o + 3] as number;
      const ey = world[o + 4] as number;
      const ez = world[o + 5] as number;
      const len2 = world[o + 6] as number;
      let t = 0;
      if (len2 > 0) {
        t = (wx * ex + wy * ey + wz * ez) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
      }
      const dx = wx - t * ex;
      const dy = wy - t * ey;
      const dz = wz - t * ez;
      const d2 = dx * dx + dy * dy + dz * dz;
      evaluated++;
      if (d2 < best || (d2 === best && G < bestG)) {
        best = d2;
        bestD = Math.sqrt(d2);
        bestG = G;
        bestT = t;
      }
    }
    this.evaluations += evaluated;
    this.partD2[p] = best;
    this.partG[p] = bestG;
    this.partT[p] = bestT;
  }

  /** w, s and r of vessel v from its parts' nearest segments (partD2 … of every part on its path). */
  protected reduceVessel(v: number): void {
    const path = this.paths[v] as Int32Array;
    let best = Infinity;
    let G = -1;
    let t = 0;
    for (let q = 0; q < path.length; q++) {
      const p = path[q] as number;
      // An earlier part's segments come first along the vessel: it keeps an exact tie.
      if ((this.partD2[p] as number) < best) {
        best = this.partD2[p] as number;
        G = this.partG[p] as number;
        t = this.partT[p] as number;
      }
    }
    this.setVessel(v, best, G, t);
  }

  /** w, s and r of vessel v whose nearest point is at t on segment G, squared distance d2 (G < 0: none). */
  protected setVessel(v: number, d2: number, G: number, t: number): void {
    if (G < 0) {
      this.w[v] = Infinity;
      return;
    }
    const world = this.plan.world;
    const o = G * WORLD_WORDS;
    const r = (world[o + 9] as number) + t * (world[o + 10] as number);
    this.s[v] = (world[o + 7] as number) + t * (world[o + 8] as number);
    this.r[v] = r;
    this.w[v] = Math.sqrt(d2) - r;
  }

  /** Whether crop voxel (i, j, k) lies inside some lumen (w ≤ 0 for some vessel). */
  inLumen(i: number, j: number, k: number): boolean {
    this.locate(i, j, k);
    for (let v = 0; v < this.w.length; v++) if ((this.w[v] as number) <= 0) return true;
    return false;
  }

  /**
   * Labels of crop voxel (i, j, k) by the definition, into `tieCount`, `tieVoi`, `tieRing` and the
   * first `lesionCount` entries of `lesionHits` (lesion indices, ascending); returns whether it has
   * any. `guarded` says whether the voxel lies within the calcium guard (asked only for a voxel that
   * would otherwise get a label). No allocation: the CPU backend calls it for every voxel of the crop.
   */
  label(i: number, j: number, k: number, guarded: ((i: number, j: number, k: number) => boolean) | null): boolean {
    this.tieCount = 0;
    this.lesionCount = 0;
    this.locate(i, j, k);
    const V = this.w.length;
    let wMin = Infinity;
    for (let v = 0; v < V; v++) {
      const w = this.w[v] as number;
      if (w <= 0) return false;
      if (w < wMin) wMin = w;
    }
    const plan = this.plan;
    if (!(wMin <= plan.wMax) || wMin <= plan.wallGap) return false;
    // Every vessel at exactly the smallest w owns the voxel (its s and r may differ from the others').
    let nTied = 0;
    for (let v = 0; v < V; v++) if ((this.w[v] as number) === wMin) this.tied[nTied++] = v;
    const ring = Math.ceil(wMin / RING_WIDTH_MM) - 1;
    let any = false;
    for (let t = 0; t < nTied; t++) {
      const o = this.tied[t] as number;
      const s = this.s[o] as number;
      const r = this.r[o] as number;
      const vessel = plan.vessels[o] as ShellPlan['vessels'][number];
      const inSeg = s >= vessel.s0 && s <= vessel.s1;
      const inVoi = wMin <= 2 * r;
      const voi = inSeg && inVoi ? 1 + o : 0;
      const rg = inSeg && ring < RING_COUNT ? 1 + o * RING_COUNT + ring : 0;
      this.tieVoi[t] = voi;
      this.tieRing[t] = rg;
      if (voi !== 0 || rg !== 0) any = true;
      if (inVoi) {
        for (const l of plan.lesions) {
          if (l.vessel === o && s >= l.start && s <= l.end) this.lesionHits[this.lesionCount++] = l.label - 1;
        }
      }
    }
    this.tieCount = nTied;
    if (!any && this.lesionCount === 0) {
      this.tieCount = 0;
      return false;
    }
    if (this.lesionCount > 1) this.lesionHits.subarray(0, this.lesionCount).sort();
    if (guarded?.(i, j, k)) {
      this.tieCount = 0;
      this.lesionCount = 0;
      return false;
    }
    return true;
  }

  /** label() as a value, for the few voxels the GPU leaves undecided. */
  classify(
    i: number,
    j: number,
    k: number,
    guarded: ((i: number, j: number, k: number) => boolean) | null,
  ): VoxelLabels {
    this.label(i, j, k, guarded);
    return {
      voi: Array.from(this.tieVoi.subarray(0, this.tieCount)),
      ring: Array.from(this.tieRing.subarray(0, this.tieCount)),
      lesions: Array.from(this.lesionHits.subarray(0, this.lesionCount)),
    };
  }

  /** Whether some voxel of a cell can get a label (Candidates.mayLabel). */
  cellMayLabel(cell: number): boolean {
    return this.cands.mayLabel[cell] === 1;
  }
}
