/**
 * The spatial index of the pericoronary shells, built on the host and read by both backends: the
 * crop is cut into cells of a few voxels, and each (cell, part) keeps the segments that can be the
 * nearest of some voxel in the cell — so a voxel's exact nearest point is a minimum over a short
 * list instead of over every segment of every vessel.
 *
 * Which segments. Let c be the cell centre, e the largest distance from c to a voxel centre of the
 * cell, dc(σ) = dist(c, σ) and dmin = min over σ of dc. Distance to a set is 1-Lipschitz, so for a
 * voxel v of the cell with nearest segment σ*: dc(σ*) ≤ dist(v, σ*) + e ≤ dist(v, σ0) + e ≤
 * dmin + 2e, and when dist(v, σ*) ≤ D (the vessel's cutoff: beyond it w exceeds every region)
 * dc(σ*) ≤ D + e. The list keeps every σ with dc ≤ min(dmin + 2e, D + e) + BAND: the nearest
 * segment, every segment tied with it, and every segment within BAND of it (the f32 kernel needs
 * those to know when its choice is uncertain). An empty list means the part is farther than D.
 *
 * Per-voxel bounds. With p the point of σ nearest to c and n = (c − p)/dc, σ lies in the half-space
 * (x − p)·n ≤ 0 (p is a projection onto a convex set), so dist(v, σ) ≥ dc + (v − c)·n. That bound
 * is first-order exact in v − c: a voxel evaluates in full only the few segments that can beat its
 * best, and the list is sorted by dc so the scan stops once dc − |v − c| exceeds the best distance.
 *
 * Build cost. Lists are built per block of 4³ cells first (the same rule with the block's centre
 * and ê = max over its cells of |c − c_block| + e), then filtered per cell: a segment a cell keeps
 * is always in its block's list, because dist(c_block, σ) ≤ dc(σ) + |c − c_block| and
 * dmin ≤ dmin_block + |c − c_block|.
 */
import type { Vec3 } from '../volume/geometry';
import { BAND_MM, BOUND_SLACK_MM, PLANE_WORDS } from './constants';
import { type ShellPart, type ShellPlan, WORLD_WORDS } from './plan';

/** Target cell edge (mm): small enough for short lists, large enough for few cells. */
export const CELL_MM = 2.4;
/** Cells per block edge in the two-level build (a share of the index is a row of blocks along z). */
export const INDEX_BLOCK = 4;
const BLOCK = INDEX_BLOCK;

export interface CellGrid {
  /** Voxels per cell along i, j, k. */
  readonly size: Vec3;
  /** Cells along i, j, k. */
  readonly counts: Vec3;
  readonly cells: number;
  /** Largest distance (mm) from a cell centre to a voxel centre of the cell. */
  readonly halfDiag: number;
}

export interface Candidates {
  readonly grid: CellGrid;
  readonly partCount: number;
  /** Per (cell, part), index cell·P + part: [offset, count] into `seg` and `plane`. */
  readonly lists: Uint32Array;
  /** Global segment index of each candidate. */
  readonly seg: Uint32Array;
  /** PLANE_WORDS f32 per candidate: n (crop-local frame) and dc; each list sorted by dc. */
  readonly plane: Float32Array;
  readonly count: number;
  /**
   * Per cell, 1 when some voxel of it can get a label: some vessel has a candidate whose arc
   * range [s_a, s_b] meets its segment or one of its lesions. A voxel's labels need its owner's
   * nearest point (a candidate) inside one of those intervals, so the voxels of a 0 cell have none
   * (the lists still serve the lumen test of the calcium guard).
   */
  readonly mayLabel: Uint8Array;
}

export function cellGrid(plan: Pick<ShellPlan, 'cropDims' | 'spacing'>): CellGrid {
  const size = plan.spacing.map((s) => Math.max(1, Math.round(CELL_MM / s))) as Vec3;
  const counts = plan.cropDims.map((n, a) => Math.ceil(n / (size[a] as number))) as Vec3;
  const halfDiag = 0.5 * Math.hypot(...size.map((n, a) => (n - 1) * (plan.spacing[a] as number)));
  return { size, counts, cells: counts[0] * counts[1] * counts[2], halfDiag };
}

/** Growable pair of candidate arrays. */
class CandidateBuffer {
  seg = new Uint32Array(1 << 16);
  plane = new Float32Array((1 << 16) * PLANE_WORDS);
  count = 0;

  push(seg: number, nx: number, ny: number, nz: number, dc: number): void {
    if (this.count === this.seg.length) {
      const s = new Uint32Array(this.seg.length * 2);
      s.set(this.seg);
      this.seg = s;
      const p = new Float32Array(this.plane.length * 2);
      p.set(this.plane);
      this.plane = p;
    }
    const o = this.count * PLANE_WORDS;
    this.seg[this.count] = seg;
    this.plane[o] = nx;
    this.plane[o + 1] = ny;
    this.plane[o + 2] = nz;
    this.plane[o + 3] = dc;
    this.count++;
  }
}

/**
 * |(x, y, z)| as √(x² + y² + z²): not Math.hypot, whose rounding an engine chooses, so that the
 * WebAssembly twin (src/shells/wasm) builds the same lists bit for bit.
 */
function norm3(x: number, y: number, z: number): number {
  return Math.sqrt(x * x + y * y + z * z);
}

/** Nearest point of crop-local segment G (plan.local) to (x, y, z): writes it to `out`, returns the distance. */
function nearestOnSegment(local: Float64Array, G: number, x: number, y: number, z: number, out: Float64Array): number {
  const o = G * 6;
  const ax = local[o] as number;
  const ay = local[o + 1] as number;
  const az = local[o + 2] as number;
  const ex = (local[o + 3] as number) - ax;
  const ey = (local[o + 4] as number) - ay;
  const ez = (local[o + 5] as number) - az;
  const l2 = ex * ex + ey * ey + ez * ez;
  let t = l2 > 0 ? ((x - ax) * ex + (y - ay) * ey + (z - az) * ez) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const px = ax + t * ex;
  const py = ay + t * ey;
  const pz = az + t * ez;
  out[0] = px;
  out[1] = py;
  out[2] = pz;
  return Math.sqrt((x - px) * (x - px) + (y - py) * (y - py) + (z - pz) * (z - pz));
}

/** What to build. */
export interface CandidateOptions {
  /** Only the cell slices [zCells[0], zCells[1]) (a share of the classification): other cells keep empty lists. */
  readonly zCells?: readonly [number, number];
  /**
   * Lists only for cells where some voxel can get a label (mayLabel 1), as the float64
   * classification needs: a block whose candidates all lie outside every vessel's label intervals
   * is skipped whole (a cell's list is a subset of its block's). The GPU shell kernels read only
   * these cells too (live-cells.ts); the calcium guard's lumen test reads every cell, so not with it.
   */
  readonly liveOnly?: boolean;
}

/**
 * The index of the whole crop, or only of the cell slices [zCells[0], zCells[1]) (a worker's
 * share: other cells keep empty lists).
 */
export function buildCandidates(plan: ShellPlan, zCells?: readonly [number, number], liveOnly = false): Candidates {
  const steps = buildCandidateSteps(plan, { ...(zCells ? { zCells } : {}), liveOnly });
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * buildCandidates in steps: it pauses after each row of blocks (yielding the fraction done), so a
 * caller on a page's thread can yield to the event loop while a share's index is built.
 */
export function* buildCandidateSteps(plan: ShellPlan, opts: CandidateOptions = {}): Generator<number, Candidates> {
  const grid = cellGrid(plan);
  const P = plan.parts.length;
  const lists = new Uint32Array(grid.cells * P * 2);
  const buf = new CandidateBuffer();
  const [sx, sy, sz] = plan.spacing;
  const [gx, gy, gz] = grid.counts;
  const [nx, ny, nz] = grid.size;
  const e = grid.halfDiag;
  const delta = BAND_MM + BOUND_SLACK_MM;
  // Cutoff of a part: the largest of the vessels running through it.
  const cutoff = new Float64Array(P);
  for (const v of plan.vessels) for (const p of v.parts) cutoff[p] = Math.max(cutoff[p] as number, v.cutoff);
  const live = opts.liveOnly ? new LabelArcs(plan) : null;
  const centre = (cell: number, n: number, s: number): number => (cell * n + (n - 1) / 2) * s;
  const near = new Float64Array(3);
  const longest = Math.max(1, ...plan.parts.map((p) => p.segCount));
  // Per part: the block's candidates (global segment indices) and their distances to its centre.
  const blockIdx = plan.parts.map(() => new Int32Array(longest));
  const blockDist = plan.parts.map(() => new Float64Array(longest));
  const blockCount = new Int32Array(P);
  const blockMin = new Float64Array(P);
  // Per part: the cell's kept candidates (positions in the block list), distances and normals.
  const cellDist = plan.parts.map(() => new Float64Array(longest));
  const cellNormal = plan.parts.map(() => new Float64Array(longest * 3));
  const kept = plan.parts.map(() => new Int32Array(longest));
  const keptCount = new Int32Array(P);
  const mayLabel = new Uint8Array(grid.cells);

  const [ck0, ck1] = opts.zCells ?? [0, gz];
  const bk0 = Math.floor(ck0 / BLOCK) * BLOCK;
  const blockRows = Math.max(1, Math.ceil((Math.min(gz, ck1) - bk0) / BLOCK) * Math.ceil(gy / BLOCK));
  let row = 0;
  for (let bk = bk0; bk < Math.min(gz, ck1); bk += BLOCK) {
    for (let bj = 0; bj < gy; bj += BLOCK) {
      for (let bi = 0; bi < gx; bi += BLOCK) {
        const ci1 = Math.min(gx, bi + BLOCK);
        const cj1 = Math.min(gy, bj + BLOCK);
        const bkEnd = Math.min(gz, bk + BLOCK);
        // Block centre: middle of its cells' centres; ê bounds |c − c_block| + e over its cells.
        const bx = (centre(bi, nx, sx) + centre(ci1 - 1, nx, sx)) / 2;
        const by = (centre(bj, ny, sy) + centre(cj1 - 1, ny, sy)) / 2;
        const bz = (centre(bk, nz, sz) + centre(bkEnd - 1, nz, sz)) / 2;
        const eb =
          norm3(centre(ci1 - 1, nx, sx) - bx, centre(cj1 - 1, ny, sy) - by, centre(bkEnd - 1, nz, sz) - bz) + e;
        let any = false;
        for (let p = 0; p < P; p++) {
          const part = plan.parts[p] as ShellPart;
          const D = cutoff[p] as number;
          const idx = blockIdx[p] as Int32Array;
          const dist = blockDist[p] as Float64Array;
          let dminB = Infinity;
          for (let q = 0; q < part.segCount; q++) {
            const d = nearestOnSegment(plan.local, part.segBase + q, bx, by, bz, near);
            dist[q] = d;
            if (d < dminB) dminB = d;
          }
          const limitB = Math.min(dminB + 2 * eb, D + eb) + delta;
          let m = 0;
          for (let q = 0; q < part.segCount; q++) {
            if ((dist[q] as number) <= limitB) {
              idx[m] = part.segBase + q;
              dist[m++] = dist[q] as number;
            }
          }
          blockCount[p] = m;
          blockMin[p] = dminB;
          if (m > 0) any = true;
        }
        if (!any || (live && !live.anyLive(blockIdx, blockCount))) continue;
        for (let ck = Math.max(bk, ck0); ck < Math.min(bkEnd, ck1); ck++) {
          for (let cj = bj; cj < cj1; cj++) {
            for (let ci = bi; ci < ci1; ci++) {
              const cx = centre(ci, nx, sx);
              const cy = centre(cj, ny, sy);
              const cz = centre(ck, nz, sz);
              // |c − c_block|: a block candidate farther than this from c than the cell's limit
              // can be (dist(c, σ) ≥ dist(c_block, σ) − h, dmin ≤ dmin_block + h) is not kept;
              // 1e-9 mm of margin keeps every float64 borderline case to the exact test below.
              const h = norm3(cx - bx, cy - by, cz - bz);
              let count = 0;
              for (let p = 0; p < P; p++) {
                const m = blockCount[p] as number;
                keptCount[p] = 0;
                if (m === 0) continue;
                const idx = blockIdx[p] as Int32Array;
                const bd = blockDist[p] as Float64Array;
                const dist = cellDist[p] as Float64Array;
                const normal = cellNormal[p] as Float64Array;
                const D = cutoff[p] as number;
                const pre = Math.min((blockMin[p] as number) + h + 2 * e, D + e) + delta + h + 1e-9;
                let dmin = Infinity;
                for (let q = 0; q < m; q++) {
                  if ((bd[q] as number) > pre) {
                    dist[q] = Infinity;
                    continue;
                  }
                  const d = nearestOnSegment(plan.local, idx[q] as number, cx, cy, cz, near);
                  dist[q] = d;
                  const inv = d > 1e-9 ? 1 / d : 0;
                  normal[3 * q] = (cx - (near[0] as number)) * inv;
                  normal[3 * q + 1] = (cy - (near[1] as number)) * inv;
                  normal[3 * q + 2] = (cz - (near[2] as number)) * inv;
                  if (d < dmin) dmin = d;
                }
                const limit = Math.min(dmin + 2 * e, D + e) + delta;
                // The kept positions in ascending (distance, position): an insertion sort, the
                // lists being a few dozen long (Array.prototype.sort with a comparator costs more
                // in calls than the comparisons themselves).
                const out = kept[p] as Int32Array;
                let n = 0;
                for (let q = 0; q < m; q++) {
                  const d = dist[q] as number;
                  if (d > limit) continue;
                  let at = n++;
                  // Positions come in ascending order: a tie in distance keeps the earlier first.
                  while (at > 0 && (dist[out[at - 1] as number] as number) > d) {
                    out[at] = out[at - 1] as number;
                    at--;
                  }
                  out[at] = q;
                }
                keptCount[p] = n;
                count += n;
              }
              if (count === 0) continue;
              const cell = ci + gx * (cj + gy * ck);
              if (live) {
                if (!live.cellLive(blockIdx, kept, keptCount)) continue;
                mayLabel[cell] = 1;
              }
              for (let p = 0; p < P; p++) {
                const n = keptCount[p] as number;
                if (n === 0) continue;
                const out = kept[p] as Int32Array;
                const idx = blockIdx[p] as Int32Array;
                const dist = cellDist[p] as Float64Array;
                const normal = cellNormal[p] as Float64Array;
                const slot = 2 * (cell * P + p);
                lists[slot] = buf.count;
                lists[slot + 1] = n;
                for (let r = 0; r < n; r++) {
                  const q = out[r] as number;
                  buf.push(
                    idx[q] as number,
                    normal[3 * q] as number,
                    normal[3 * q + 1] as number,
                    normal[3 * q + 2] as number,
                    dist[q] as number,
                  );
                }
              }
            }
          }
        }
      }
      yield ++row / blockRows;
    }
  }
  return {
    grid,
    partCount: P,
    mayLabel: live ? mayLabel : labelCells(plan, grid, [ck0, Math.min(gz, ck1)], lists, buf.seg),
    lists,
    seg: buf.seg.subarray(0, buf.count),
    plane: buf.plane.subarray(0, buf.count * PLANE_WORDS),
    count: buf.count,
  };
}

/**
 * Per vessel, which segments of its parts have an arc range [s_a, s_b] meeting one of the vessel's
 * label intervals (its segment and its lesions), 1 per global segment: a voxel's labels need its
 * owner's nearest point on such a segment.
 */
export function labelArcFlags(plan: ShellPlan): Uint8Array[] {
  const world = plan.world;
  return plan.vessels.map((v) => {
    const intervals = [[v.s0, v.s1], ...plan.lesions.filter((l) => l.vessel === v.index).map((l) => [l.start, l.end])];
    const flags = new Uint8Array(plan.segmentCount);
    for (const p of v.parts) {
      const part = plan.parts[p] as ShellPart;
      for (let G = part.segBase; G < part.segBase + part.segCount; G++) {
        const sa = world[G * WORLD_WORDS + 7] as number;
        const sb = sa + (world[G * WORLD_WORDS + 8] as number);
        // s = s_a + t·Δs lies in [s_a, s_a + Δs] up to rounding: widen by a relative 1e-9.
        const eps = 1e-9 * Math.max(1, Math.abs(sb));
        for (const [lo, hi] of intervals) if (sb + eps >= (lo as number) && sa - eps <= (hi as number)) flags[G] = 1;
      }
    }
    return flags;
  });
}

/** The label-arc flags (labelArcFlags) asked per block and per cell of the index. */
class LabelArcs {
  private readonly live: Uint8Array[];
  private readonly paths: (readonly number[])[];

  constructor(plan: ShellPlan) {
    this.paths = plan.vessels.map((v) => v.parts);
    this.live = labelArcFlags(plan);
  }

  /** Whether some vessel has, in one of its parts' first count[p] entries of idx[p], a live segment. */
  anyLive(idx: readonly Int32Array[], count: Int32Array): boolean {
    for (let v = 0; v < this.paths.length; v++) {
      const flags = this.live[v] as Uint8Array;
      for (const p of this.paths[v] as readonly number[]) {
        const list = idx[p] as Int32Array;
        const m = count[p] as number;
        for (let q = 0; q < m; q++) if (flags[list[q] as number] === 1) return true;
      }
    }
    return false;
  }

  /** anyLive over the entries of idx[p] at the positions kept[p] (the first count[p] of them). */
  cellLive(idx: readonly Int32Array[], kept: readonly Int32Array[], count: Int32Array): boolean {
    for (let v = 0; v < this.paths.length; v++) {
      const flags = this.live[v] as Uint8Array;
      for (const p of this.paths[v] as readonly number[]) {
        const list = idx[p] as Int32Array;
        const at = kept[p] as Int32Array;
        const m = count[p] as number;
        for (let r = 0; r < m; r++) if (flags[list[at[r] as number] as number] === 1) return true;
      }
    }
    return false;
  }

  /** Whether some vessel has a live segment in the lists of `cell`. */
  listsLive(cell: number, P: number, lists: Uint32Array, seg: Uint32Array): boolean {
    for (let v = 0; v < this.paths.length; v++) {
      const flags = this.live[v] as Uint8Array;
      for (const p of this.paths[v] as readonly number[]) {
        const slot = 2 * (cell * P + p);
        const first = lists[slot] as number;
        const end = first + (lists[slot + 1] as number);
        for (let m = first; m < end; m++) if (flags[seg[m] as number] === 1) return true;
      }
    }
    return false;
  }
}

/** The mayLabel flags (see Candidates) of the cells in slices [ck0, ck1); 0 elsewhere. */
function labelCells(
  plan: ShellPlan,
  grid: CellGrid,
  [ck0, ck1]: readonly [number, number],
  lists: Uint32Array,
  seg: Uint32Array,
): Uint8Array {
  const out = new Uint8Array(grid.cells);
  const arcs = new LabelArcs(plan);
  const slice = grid.counts[0] * grid.counts[1];
  for (let cell = ck0 * slice; cell < ck1 * slice; cell++) {
    if (arcs.listsLive(cell, plan.parts.length, lists, seg)) out[cell] = 1;
  }
  return out;
}
