/**
 * The float64 brute-force oracle of METHOD.md §4's nearest point: every segment of the polyline,
 * exact projection clamped to [0, 1], ties to the smaller arc length (strict < in segment order).
 * Tests hold the engine's float64 path (src/shells/exact.ts) to it bit for bit.
 */
import type { Vec3 } from '../../src/volume/geometry';

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
