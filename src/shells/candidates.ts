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
import { type ShellPlan, WORLD_WORDS } from './plan';

/** Target cell edge (mm): small enough for short lists, large enough for few cells. */
export const CELL_MM = 2.4;
/** Cells per block edge in the two-level build. */
const BLOCK = 4;

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

/**
 * The index of the whole crop, or only of the cell slices [zCells[0], zCells[1]) (a worker's
 * share: other cells keep empty lists).
 */
export function buildCandidates(plan: ShellPlan, zCells?: readonly [number, number]): Candidates {
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
  const centre = (cell: number, n: number, s: number): number => (cell * n + (n - 1) / 2) * s;
  const near = new Float64Array(3);
  const blockIdx: number[] = [];
  const blockDist: number[] = [];
  const longest = Math.max(1, ...plan.parts.map((p) => p.segCount));
  const cellDist = new Float64Array(longest);
  const cellNormal = new Float64Array(longest * 3);
  const order: number[] = [];

  const [ck0, ck1] = zCells ?? [0, gz];
  for (let bk = Math.floor(ck0 / BLOCK) * BLOCK; bk < Math.min(gz, ck1); bk += BLOCK) {
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
          Math.hypot(centre(ci1 - 1, nx, sx) - bx, centre(cj1 - 1, ny, sy) - by, centre(bkEnd - 1, nz, sz) - bz) + e;
        for (let p = 0; p < P; p++) {
          const part = plan.parts[p] as ShellPlan['parts'][number];
          const D = cutoff[p] as number;
          blockIdx.length = 0;
          blockDist.length = 0;
          let dminB = Infinity;
          for (let q = 0; q < part.segCount; q++) {
            const d = nearestOnSegment(plan.local, part.segBase + q, bx, by, bz, near);
            blockIdx.push(part.segBase + q);
            blockDist.push(d);
            if (d < dminB) dminB = d;
          }
          const limitB = Math.min(dminB + 2 * eb, D + eb) + delta;
          let m = 0;
          for (let q = 0; q < blockIdx.length; q++) {
            if ((blockDist[q] as number) <= limitB) blockIdx[m++] = blockIdx[q] as number;
          }
          blockIdx.length = m;
          if (m === 0) continue;
          for (let ck = Math.max(bk, ck0); ck < Math.min(bkEnd, ck1); ck++) {
            for (let cj = bj; cj < cj1; cj++) {
              for (let ci = bi; ci < ci1; ci++) {
                const cx = centre(ci, nx, sx);
                const cy = centre(cj, ny, sy);
                const cz = centre(ck, nz, sz);
                let dmin = Infinity;
                for (let q = 0; q < m; q++) {
                  const d = nearestOnSegment(plan.local, blockIdx[q] as number, cx, cy, cz, near);
                  cellDist[q] = d;
                  const inv = d > 1e-9 ? 1 / d : 0;
                  cellNormal[3 * q] = (cx - (near[0] as number)) * inv;
                  cellNormal[3 * q + 1] = (cy - (near[1] as number)) * inv;
                  cellNormal[3 * q + 2] = (cz - (near[2] as number)) * inv;
                  if (d < dmin) dmin = d;
                }
                const limit = Math.min(dmin + 2 * e, D + e) + delta;
                order.length = 0;
                for (let q = 0; q < m; q++) if ((cellDist[q] as number) <= limit) order.push(q);
                if (order.length === 0) continue;
                order.sort((a, b) => (cellDist[a] as number) - (cellDist[b] as number) || a - b);
                const slot = 2 * ((ci + gx * (cj + gy * ck)) * P + p);
                lists[slot] = buf.count;
                lists[slot + 1] = order.length;
                for (const q of order) {
                  buf.push(
                    blockIdx[q] as number,
                    cellNormal[3 * q] as number,
                    cellNormal[3 * q + 1] as number,
                    cellNormal[3 * q + 2] as number,
                    cellDist[q] as number,
                  );
                }
              }
            }
          }
        }
      }
    }
  }
  return {
    grid,
    partCount: P,
    mayLabel: labelCells(plan, grid.cells, lists, buf.seg),
    lists,
    seg: buf.seg.subarray(0, buf.count),
    plane: buf.plane.subarray(0, buf.count * PLANE_WORDS),
    count: buf.count,
  };
}

/** The mayLabel flags of every cell (see Candidates). */
function labelCells(plan: ShellPlan, cells: number, lists: Uint32Array, seg: Uint32Array): Uint8Array {
  const P = plan.parts.length;
  const out = new Uint8Array(cells);
  // Per vessel, the arc intervals where a label can be: its segment and its lesions.
  const intervals = plan.vessels.map((v) => [
    [v.s0, v.s1],
    ...plan.lesions.filter((l) => l.vessel === v.index).map((l) => [l.start, l.end]),
  ]);
  const world = plan.world;
  for (let cell = 0; cell < cells; cell++) {
    search: for (const v of plan.vessels) {
      const iv = intervals[v.index] as number[][];
      for (const p of v.parts) {
        const slot = 2 * (cell * P + p);
        const first = lists[slot] as number;
        const end = first + (lists[slot + 1] as number);
        for (let m = first; m < end; m++) {
          const o = (seg[m] as number) * WORLD_WORDS;
          const sa = world[o + 7] as number;
          const sb = sa + (world[o + 8] as number);
          // s = s_a + t·Δs lies in [s_a, s_a + Δs] up to rounding: widen by a relative 1e-9.
          const eps = 1e-9 * Math.max(1, Math.abs(sb));
          for (const [lo, hi] of iv) {
            if (sb + eps >= (lo as number) && sa - eps <= (hi as number)) {
              out[cell] = 1;
              break search;
            }
          }
        }
      }
    }
  }
  return out;
}
