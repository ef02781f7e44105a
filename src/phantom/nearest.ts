/**
 * Nearest point on a vessel centerline (polyline), for every voxel near the vessels.
 *
 * Exact definition (METHOD.md §4 as the project decided it): p = the nearest point of the polyline
 * to v over all segments (exact point-to-segment projection), ties → smaller arc length; d = |v − p|,
 * s = arc length of p, r = radius interpolated linearly along the segment at p, w = d − r.
 *
 * Each query only needs the answer when d ≤ D (a per-vessel cutoff): beyond it the vessel is
 * reported "far" (w = +∞). To avoid testing every segment for every voxel, space is cut into cubic
 * cells of side h; for each cell (centre c, half-diagonal e = h·√3/2) we keep as candidates the
 * segments σ with dist(c, σ) ≤ min(dmin(c) + 2e, D + e), where dmin(c) = min over σ of dist(c, σ).
 *
 * Why the exact nearest segment is always a candidate: distance to a set is 1-Lipschitz, so for
 * any v in the cell |dist(v, σ) − dist(c, σ)| ≤ e. Let σ* be a nearest segment of v (any one of
 * several tied ones) and σ0 the nearest of c. Then dist(c, σ*) − e ≤ dist(v, σ*) ≤ dist(v, σ0)
 * ≤ dmin(c) + e, so dist(c, σ*) ≤ dmin(c) + 2e; and when dist(v, σ*) ≤ D, dist(c, σ*) ≤ D + e.
 * So every segment that can be (or tie for) the nearest within D is in the list, and the tie rule
 * is applied over all of them. Extra candidates are harmless: the exact minimum is taken over the list.
 *
 * The candidate lists are built lazily per cell; to build one, segments are grouped in chunks with
 * a bounding sphere (centre q, radius ρ, containing both endpoints of every segment of the chunk,
 * hence the segments). A chunk is skipped only when |c − q| − ρ (a lower bound on dist(c, σ) for
 * all its σ) exceeds min(ub + 2e, D + e), with ub = min over chunks of |c − q| + ρ ≥ dmin(c): then
 * none of its segments can pass the candidate test above.
 */
import type { Vessel } from '../volume/vessels';

const CHUNK = 16;
/** Per-segment record: ax ay az ex ey ez (b − a) len² s0 len r0 dr. */
const STRIDE = 11;

interface Poly {
  seg: Float64Array;
  nSeg: number;
  /** Chunk spheres: qx qy qz rho. */
  chunks: Float64Array;
  nChunks: number;
  cutoff: number;
}

function buildPoly(v: Vessel, cutoff: number): Poly {
  const n = v.points.length;
  if (n < 2) throw new RangeError(`vessel ${v.name}: a centerline needs at least 2 points`);
  if (v.radii.length !== n) throw new RangeError(`vessel ${v.name}: ${n} points but ${v.radii.length} radii`);
  const nSeg = n - 1;
  const seg = new Float64Array(nSeg * STRIDE);
  let s = 0;
  for (let i = 0; i < nSeg; i++) {
    const a = v.points[i] as readonly number[];
    const b = v.points[i + 1] as readonly number[];
    const ex = (b[0] as number) - (a[0] as number);
    const ey = (b[1] as number) - (a[1] as number);
    const ez = (b[2] as number) - (a[2] as number);
    const len = Math.hypot(ex, ey, ez);
    const o = i * STRIDE;
    seg[o] = a[0] as number;
    seg[o + 1] = a[1] as number;
    seg[o + 2] = a[2] as number;
    seg[o + 3] = ex;
    seg[o + 4] = ey;
    seg[o + 5] = ez;
    seg[o + 6] = ex * ex + ey * ey + ez * ez;
    seg[o + 7] = s;
    seg[o + 8] = len;
    seg[o + 9] = v.radii[i] as number;
    seg[o + 10] = (v.radii[i + 1] as number) - (v.radii[i] as number);
    s += len;
  }
  const nChunks = Math.ceil(nSeg / CHUNK);
  const chunks = new Float64Array(nChunks * 4);
  for (let c = 0; c < nChunks; c++) {
    const first = c * CHUNK;
    const last = Math.min(nSeg, first + CHUNK); // points first..last (last = end point of the last segment)
    let lo = [Infinity, Infinity, Infinity];
    let hi = [-Infinity, -Infinity, -Infinity];
    for (let p = first; p <= last; p++) {
      const q = v.points[p] as readonly number[];
      lo = lo.map((x, k) => Math.min(x, q[k] as number));
      hi = hi.map((x, k) => Math.max(x, q[k] as number));
    }
    const q = [0, 1, 2].map((k) => ((lo[k] as number) + (hi[k] as number)) / 2) as [number, number, number];
    let rho = 0;
    for (let p = first; p <= last; p++) {
      const x = v.points[p] as readonly number[];
      rho = Math.max(rho, Math.hypot((x[0] as number) - q[0], (x[1] as number) - q[1], (x[2] as number) - q[2]));
    }
    chunks.set([q[0], q[1], q[2], rho * (1 + 1e-12) + 1e-9], c * 4);
  }
  return { seg, nSeg, chunks, nChunks, cutoff };
}

/** Squared distance from (x,y,z) to segment i of `seg`. */
function segDist2(seg: Float64Array, i: number, x: number, y: number, z: number): number {
  const o = i * STRIDE;
  const vx = x - (seg[o] as number);
  const vy = y - (seg[o + 1] as number);
  const vz = z - (seg[o + 2] as number);
  const ex = seg[o + 3] as number;
  const ey = seg[o + 4] as number;
  const ez = seg[o + 5] as number;
  const l2 = seg[o + 6] as number;
  let t = l2 > 0 ? (vx * ex + vy * ey + vz * ez) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dx = vx - t * ex;
  const dy = vy - t * ey;
  const dz = vz - t * ez;
  return dx * dx + dy * dy + dz * dz;
}

/** Result of one query, per vessel (index = vessel index). w = +∞ when the vessel is farther than its cutoff. */
export interface NearestOut {
  w: Float64Array;
  d: Float64Array;
  s: Float64Array;
  r: Float64Array;
}

export class CenterlineIndex {
  readonly nVessels: number;
  private readonly polys: Poly[];
  private readonly h: number;
  private readonly e: number;
  private readonly lo: [number, number, number];
  private readonly n: [number, number, number];
  private readonly lists: (Int32Array | null)[];
  private readonly built: Uint8Array;

  /**
   * @param cutoffs per vessel: the largest d (mm) at which the exact nearest point is needed.
   * @param cellMm cell side h.
   */
  constructor(vessels: readonly Vessel[], cutoffs: readonly number[], cellMm = 2) {
    this.nVessels = vessels.length;
    this.polys = vessels.map((v, i) => buildPoly(v, cutoffs[i] as number));
    this.h = cellMm;
    this.e = (cellMm * Math.sqrt(3)) / 2;
    // The grid covers every point within a cutoff of a segment; a point outside is far from all.
    const lo: [number, number, number] = [Infinity, Infinity, Infinity];
    const hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    vessels.forEach((v, vi) => {
      const D = cutoffs[vi] as number;
      for (const p of v.points) {
        for (let k = 0; k < 3; k++) {
          lo[k] = Math.min(lo[k] as number, (p[k] as number) - D);
          hi[k] = Math.max(hi[k] as number, (p[k] as number) + D);
        }
      }
    });
    if (vessels.length === 0) {
      lo.fill(0);
      hi.fill(0);
    }
    this.lo = lo;
    this.n = [0, 1, 2].map((k) => Math.floor(((hi[k] as number) - (lo[k] as number)) / cellMm) + 1) as [
      number,
      number,
      number,
    ];
    const cells = this.n[0] * this.n[1] * this.n[2];
    this.lists = new Array<Int32Array | null>(cells * this.nVessels).fill(null);
    this.built = new Uint8Array(cells);
  }

  /** Fills `out` for point (x,y,z). */
  query(x: number, y: number, z: number, out: NearestOut): void {
    const nv = this.nVessels;
    out.w.fill(Infinity, 0, nv);
    const ci = Math.floor((x - this.lo[0]) / this.h);
    const cj = Math.floor((y - this.lo[1]) / this.h);
    const ck = Math.floor((z - this.lo[2]) / this.h);
    if (ci < 0 || cj < 0 || ck < 0 || ci >= this.n[0] || cj >= this.n[1] || ck >= this.n[2]) return;
    const cell = ci + this.n[0] * (cj + this.n[1] * ck);
    if (this.built[cell] === 0) this.build(cell, ci, cj, ck);
    for (let vi = 0; vi < nv; vi++) {
      const list = this.lists[cell * nv + vi];
      if (!list) continue;
      const poly = this.polys[vi] as Poly;
      const seg = poly.seg;
      let best = Infinity;
      let bestS = Infinity;
      let bestR = 0;
      for (let m = 0; m < list.length; m++) {
        const i = list[m] as number;
        const o = i * STRIDE;
        const vx = x - (seg[o] as number);
        const vy = y - (seg[o + 1] as number);
        const vz = z - (seg[o + 2] as number);
        const ex = seg[o + 3] as number;
        const ey = seg[o + 4] as number;
        const ez = seg[o + 5] as number;
        const l2 = seg[o + 6] as number;
        let t = l2 > 0 ? (vx * ex + vy * ey + vz * ez) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const dx = vx - t * ex;
        const dy = vy - t * ey;
        const dz = vz - t * ez;
        const d2 = dx * dx + dy * dy + dz * dz;
        const s = (seg[o + 7] as number) + t * (seg[o + 8] as number);
        if (d2 < best || (d2 === best && s < bestS)) {
          best = d2;
          bestS = s;
          bestR = (seg[o + 9] as number) + t * (seg[o + 10] as number);
        }
      }
      const d = Math.sqrt(best);
      if (d > poly.cutoff) continue;
      out.d[vi] = d;
      out.s[vi] = bestS;
      out.r[vi] = bestR;
      out.w[vi] = d - bestR;
    }
  }

  private build(cell: number, ci: number, cj: number, ck: number): void {
    this.built[cell] = 1;
    const cx = this.lo[0] + (ci + 0.5) * this.h;
    const cy = this.lo[1] + (cj + 0.5) * this.h;
    const cz = this.lo[2] + (ck + 0.5) * this.h;
    const e = this.e;
    for (let vi = 0; vi < this.nVessels; vi++) {
      const poly = this.polys[vi] as Poly;
      const ch = poly.chunks;
      let ub = Infinity;
      for (let c = 0; c < poly.nChunks; c++) {
        const dc = Math.hypot(
          cx - (ch[c * 4] as number),
          cy - (ch[c * 4 + 1] as number),
          cz - (ch[c * 4 + 2] as number),
        );
        ub = Math.min(ub, dc + (ch[c * 4 + 3] as number));
      }
      const limit = Math.min(ub + 2 * e, poly.cutoff + e);
      const idx: number[] = [];
      const dist: number[] = [];
      let dmin = Infinity;
      for (let c = 0; c < poly.nChunks; c++) {
        const dc = Math.hypot(
          cx - (ch[c * 4] as number),
          cy - (ch[c * 4 + 1] as number),
          cz - (ch[c * 4 + 2] as number),
        );
        if (dc - (ch[c * 4 + 3] as number) > limit) continue;
        const end = Math.min(poly.nSeg, (c + 1) * CHUNK);
        for (let i = c * CHUNK; i < end; i++) {
          const d = Math.sqrt(segDist2(poly.seg, i, cx, cy, cz));
          idx.push(i);
          dist.push(d);
          if (d < dmin) dmin = d;
        }
      }
      const keep = Math.min(dmin + 2 * e, poly.cutoff + e);
      const list = idx.filter((_, m) => (dist[m] as number) <= keep);
      if (list.length > 0) this.lists[cell * this.nVessels + vi] = Int32Array.from(list);
    }
  }
}

export function makeNearestOut(n: number): NearestOut {
  return { w: new Float64Array(n), d: new Float64Array(n), s: new Float64Array(n), r: new Float64Array(n) };
}

/**
 * Reference: nearest point over every segment, no index. For tests of the index and for tiny
 * cases; same arithmetic as `CenterlineIndex.query` so results are bit-identical.
 */
export function nearestBrute(
  v: Vessel,
  x: number,
  y: number,
  z: number,
): { d: number; s: number; r: number; w: number } {
  const poly = buildPoly(v, Infinity);
  const seg = poly.seg;
  let best = Infinity;
  let bestS = Infinity;
  let bestR = 0;
  for (let i = 0; i < poly.nSeg; i++) {
    const o = i * STRIDE;
    const d2 = segDist2(seg, i, x, y, z);
    const l2 = seg[o + 6] as number;
    const vx = x - (seg[o] as number);
    const vy = y - (seg[o + 1] as number);
    const vz = z - (seg[o + 2] as number);
    let t = l2 > 0 ? (vx * (seg[o + 3] as number) + vy * (seg[o + 4] as number) + vz * (seg[o + 5] as number)) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const s = (seg[o + 7] as number) + t * (seg[o + 8] as number);
    if (d2 < best || (d2 === best && s < bestS)) {
      best = d2;
      bestS = s;
      bestR = (seg[o + 9] as number) + t * (seg[o + 10] as number);
    }
  }
  const d = Math.sqrt(best);
  return { d, s: bestS, r: bestR, w: d - bestR };
}
