/**
 * A centerline derived from a lumen mask, slice by slice (METHOD.md §1: "or derived from a lumen
 * mask"). In each slice along k the tracked vessel is the 2D connected component nearest to the
 * previous point; its centroid is the centerline point and √(area/π) its radius. Tracking stops
 * where the vessel is lost or runs in-plane (the component's area jumps, e.g. an aortic arch).
 * Suited to vessels that cross the slices (aorta, proximal coronaries on thin slices); documented
 * as an approximation in every report that uses it.
 */
import { PerifatError } from '../errors';
import { type Vec3, voxelToWorld } from './geometry';
import type { LabelVolume } from './volume';
import type { Vessel } from './vessels';

export interface MaskCenterlineOptions {
  readonly name: string;
  /** Start at the most inferior (default, e.g. aortic root upward) or most superior slice. */
  readonly start?: 'inferior' | 'superior';
  /** Stop when a slice's area exceeds this multiple of the running median area. */
  readonly areaJump?: number;
  /** Start from the component nearest this LPS point (e.g. an annulus centroid). */
  readonly seed?: Vec3;
}

interface Blob {
  ci: number;
  cj: number;
  area: number;
}

export function centerlineFromMask(mask: LabelVolume, o: MaskCenterlineOptions): Vessel {
  const [nx, ny, nz] = mask.dims;
  const zOf = (k: number) => voxelToWorld(mask, [0, 0, k])[2];
  const inferiorFirst = zOf(0) <= zOf(nz - 1);
  const startInferior = (o.start ?? 'inferior') === 'inferior';
  const order = Array.from({ length: nz }, (_, i) => (inferiorFirst === startInferior ? i : nz - 1 - i));
  const points: Vec3[] = [];
  const radii: number[] = [];
  const areas: number[] = [];
  const pixelMm2 = mask.spacing[0] * mask.spacing[1];
  let prev: Vec3 | null = o.seed ?? null;
  for (const k of order) {
    const blobs = sliceBlobs(mask.labels, nx, ny, k);
    if (blobs.length === 0) {
      if (points.length > 0) break;
      continue;
    }
    const centre = (b: Blob) => voxelToWorld(mask, [b.ci, b.cj, k]);
    // With a seed, tracking starts at the first slice with a component near it.
    if (o.seed && points.length === 0 && Math.abs(zOf(k) - o.seed[2]) > mask.spacing[2]) continue;
    let best = blobs[0] as Blob;
    if (prev) {
      const p = prev;
      const dist = (b: Blob) => {
        const c = centre(b);
        return Math.hypot(c[0] - p[0], c[1] - p[1], c[2] - p[2]);
      };
      best = blobs.reduce((a, b) => (dist(b) < dist(a) ? b : a));
      // Lost: the nearest component is further than a few radii from the last point.
      const lastR = radii.at(-1);
      if (lastR !== undefined && dist(best) > Math.max(3 * lastR, 3 * mask.spacing[2])) break;
    } else {
      best = blobs.reduce((a, b) => (b.area > a.area ? b : a));
    }
    const area = best.area * pixelMm2;
    if (areas.length >= 3) {
      const med = [...areas].sort((a, b) => a - b)[areas.length >> 1] as number;
      if (area > (o.areaJump ?? 1.8) * med) break;
    }
    areas.push(area);
    const c = centre(best);
    points.push(c);
    radii.push(Math.sqrt(area / Math.PI));
    prev = c;
  }
  if (points.length < 2) {
    throw new PerifatError('E_CENTERLINE', `could not track a vessel through the mask (${points.length} slices)`, {
      file: mask.source,
    });
  }
  return { name: o.name, points: smooth(points), radii: smooth(radii.map((r) => [r, 0, 0] as Vec3)).map((p) => p[0]) };
}

/**
 * Moving average over ±2 points (ends keep their own), so the slice-to-slice jitter of the
 * centroids does not turn into kinks that the nearest-point search and the report would inherit.
 */
function smooth(points: readonly Vec3[], half = 2): Vec3[] {
  return points.map((p, i) => {
    if (i === 0 || i === points.length - 1) return p;
    const h = Math.min(half, i, points.length - 1 - i);
    const acc: Vec3 = [0, 0, 0];
    for (let j = i - h; j <= i + h; j++) for (let c = 0; c < 3; c++) acc[c]! += (points[j] as Vec3)[c] as number;
    return acc.map((x) => x / (2 * h + 1)) as Vec3;
  });
}

/** 4-connected components of one slice, with centroid (voxel units) and area (pixels). */
function sliceBlobs(labels: Uint8Array, nx: number, ny: number, k: number): Blob[] {
  const base = k * nx * ny;
  const seen = new Uint8Array(nx * ny);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < nx * ny; start++) {
    if (seen[start] || labels[base + start] === 0) continue;
    let si = 0;
    let sj = 0;
    let n = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const i = p % nx;
      const j = (p - i) / nx;
      si += i;
      sj += j;
      n++;
      const nbrs = [i > 0 ? p - 1 : -1, i < nx - 1 ? p + 1 : -1, j > 0 ? p - nx : -1, j < ny - 1 ? p + nx : -1];
      for (const q of nbrs) {
        if (q >= 0 && !seen[q] && labels[base + q] !== 0) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    blobs.push({ ci: si / n, cj: sj / n, area: n });
  }
  return blobs;
}
