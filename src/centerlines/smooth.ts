/**
 * Polyline smoothing and resampling for centerlines made of voxel steps.
 *
 * A voxel path zig-zags by up to half a voxel; a Gaussian over arc length (σ ≈ one voxel) removes
 * the staircase while bending a coronary's 3–8 mm curves by only σ²/2R. The window is kept
 * symmetric and shrinks towards the ends, so the end points stay exactly where they are (a branch
 * then still starts on its parent's last point, and a shared stem is smoothed once). An optional
 * `inside` keeps every point in the lumen: a smoothed point that would leave it keeps its old place.
 */
import type { Vec3 } from '../volume/geometry';
import { arcLengths } from '../volume/vessels';

export interface SmoothOptions {
  /** Gaussian σ over arc length (mm, default 0.8). */
  sigmaMm?: number;
  /** Passes (default 1). */
  iterations?: number;
  /** Continuous inside-ness (≥ 0.5 inside); a point whose smoothed place is outside is not moved. */
  inside?: (p: Vec3) => number;
}

/** Smoothed copy of `points`; the first and last points are returned unchanged. */
export function smoothPolyline(points: readonly Vec3[], opts: SmoothOptions = {}): Vec3[] {
  const sigma = opts.sigmaMm ?? 0.8;
  let cur: Vec3[] = points.map((p) => [p[0], p[1], p[2]]);
  const n = cur.length;
  if (n < 3 || !(sigma > 0)) return cur;
  for (let it = 0; it < (opts.iterations ?? 1); it++) {
    const s = arcLengths(cur);
    const next: Vec3[] = cur.map((p) => [p[0], p[1], p[2]]);
    const total = s[n - 1] as number;
    for (let i = 1; i < n - 1; i++) {
      const si = s[i] as number;
      // Symmetric window no wider than the distance to either end: the ends pin the curve.
      const half = Math.min(3 * sigma, si, total - si);
      if (half <= 0) continue;
      let w = 0;
      const acc: Vec3 = [0, 0, 0];
      for (let j = i; j >= 0 && si - (s[j] as number) <= half; j--)
        addWeighted(acc, cur[j] as Vec3, (s[j] as number) - si, sigma, (x) => (w += x));
      for (let j = i + 1; j < n && (s[j] as number) - si <= half; j++)
        addWeighted(acc, cur[j] as Vec3, (s[j] as number) - si, sigma, (x) => (w += x));
      const q: Vec3 = [acc[0] / w, acc[1] / w, acc[2] / w];
      if (!opts.inside || opts.inside(q) >= 0.5) next[i] = q;
    }
    cur = next;
  }
  return cur;
}

function addWeighted(acc: Vec3, p: Vec3, ds: number, sigma: number, addW: (w: number) => void): void {
  const w = Math.exp(-(ds * ds) / (2 * sigma * sigma));
  acc[0] += w * p[0];
  acc[1] += w * p[1];
  acc[2] += w * p[2];
  addW(w);
}

/**
 * Points every `stepMm` or less along the polyline (both ends kept), with any per-point values
 * (radii) interpolated linearly in arc length.
 */
export function resamplePolyline(
  points: readonly Vec3[],
  stepMm: number,
  values?: readonly number[],
): { points: Vec3[]; values: number[] } {
  const n = points.length;
  if (n === 0) return { points: [], values: [] };
  const s = arcLengths(points);
  const total = s[n - 1] as number;
  const m = Math.max(1, Math.ceil(total / stepMm - 1e-9));
  const outP: Vec3[] = [];
  const outV: number[] = [];
  let j = 0;
  for (let k = 0; k <= m; k++) {
    const t = k === m ? total : (total * k) / m;
    while (j < n - 2 && (s[j + 1] as number) < t) j++;
    const a = points[j] as Vec3;
    const b = points[Math.min(n - 1, j + 1)] as Vec3;
    const sa = s[j] as number;
    const sb = s[Math.min(n - 1, j + 1)] as number;
    const f = sb > sa ? Math.min(1, Math.max(0, (t - sa) / (sb - sa))) : 0;
    outP.push(
      k === 0
        ? [a[0], a[1], a[2]]
        : k === m
          ? [...(points[n - 1] as Vec3)]
          : [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])],
    );
    if (values) {
      const va = values[j] as number;
      const vb = values[Math.min(n - 1, j + 1)] as number;
      outV.push(va + f * (vb - va));
    }
  }
  return { points: outP, values: outV };
}
