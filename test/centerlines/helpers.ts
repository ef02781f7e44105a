/**
 * Shared by the centerline tests: the project's exact CPU EDT (its path moves during the kernel
 * reorganisation: fix it here only) and the accuracy measures of the acceptance criteria.
 */
import { edtCpu } from '../../src/kernels/edt/edt.cpu';
import type { Vec3 } from '../../src/volume/geometry';
import type { Vessel } from '../../src/volume/vessels';
import { arcLengths } from '../../src/volume/vessels';

export const edt = (dims: Vec3, spacing: Vec3, mask: Uint8Array): Float32Array => edtCpu(dims, spacing, mask);

/** Nearest point of a polyline to p: distance and the radius there (linear along the segment). */
export function nearestOn(v: Vessel, p: Vec3): { d: number; r: number } {
  let best = { d: Infinity, r: 0 };
  for (let i = 1; i < v.points.length; i++) {
    const a = v.points[i - 1] as Vec3;
    const b = v.points[i] as Vec3;
    const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const l2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2;
    const t =
      l2 > 0
        ? Math.min(1, Math.max(0, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / l2))
        : 0;
    const d = Math.hypot(p[0] - a[0] - t * ab[0], p[1] - a[1] - t * ab[1], p[2] - a[2] - t * ab[2]);
    if (d < best.d)
      best = { d, r: (v.radii[i - 1] as number) + t * ((v.radii[i] as number) - (v.radii[i - 1] as number)) };
  }
  return best;
}

/** Over the extracted vessel's first `mm`: mean and 95th percentile distance to the truth, mean |Δr|. */
export function accuracy(
  got: Vessel,
  truth: Vessel,
  mm = 50,
): { mean: number; p95: number; radius: number; n: number } {
  const s = arcLengths(got.points);
  const ds: number[] = [];
  let dr = 0;
  got.points.forEach((p, i) => {
    if ((s[i] as number) > mm) return;
    const q = nearestOn(truth, p);
    ds.push(q.d);
    dr += Math.abs((got.radii[i] as number) - q.r);
  });
  const sorted = [...ds].sort((a, b) => a - b);
  return {
    mean: ds.reduce((a, b) => a + b, 0) / ds.length,
    p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] as number,
    radius: dr / ds.length,
    n: ds.length,
  };
}
