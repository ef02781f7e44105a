/** Tiny hand-made volumes for the truth tests. */
import { IDENTITY3, voxelToWorld, type Mat3, type Vec3 } from '../../src/volume/geometry';
import type { CtVolume, LabelVolume } from '../../src/volume/volume';
import type { Vessel, VesselSet } from '../../src/volume/vessels';

export interface Grid {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
}

/** A grid with voxel (0,0,0) at `origin` (default: centred on LPS 0). */
export function grid(dims: Vec3, spacing: Vec3, origin?: Vec3, direction: Mat3 = IDENTITY3): Grid {
  const o: Vec3 = origin ?? [
    (-(dims[0] - 1) / 2) * spacing[0],
    (-(dims[1] - 1) / 2) * spacing[1],
    (-(dims[2] - 1) / 2) * spacing[2],
  ];
  return { dims, spacing, origin: o, direction };
}

/** Calls f for every voxel with its index, linear index and world position. */
export function forEachVoxel(g: Grid, f: (i: number, j: number, k: number, n: number, p: Vec3) => void): void {
  const [nx, ny, nz] = g.dims;
  let n = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) f(i, j, k, n, voxelToWorld(g, [i, j, k]));
}

export function ct(
  g: Grid,
  hu: (p: Vec3, i: number, j: number, k: number) => number,
  kvp: number | null = 120,
): CtVolume {
  const data = new Int16Array(g.dims[0] * g.dims[1] * g.dims[2]);
  forEachVoxel(g, (i, j, k, n, p) => (data[n] = hu(p, i, j, k)));
  return { ...g, hu: data, kvp, source: 'test' };
}

export function mask(g: Grid, inside: (p: Vec3, i: number, j: number, k: number) => boolean): LabelVolume {
  const labels = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]);
  forEachVoxel(g, (i, j, k, n, p) => (labels[n] = inside(p, i, j, k) ? 1 : 0));
  return { ...g, labels, source: 'test-mask' };
}

/** A straight vessel from a to b, points every `step` mm, radius constant or linear r0 → r1. */
export function straight(name: string, a: Vec3, b: Vec3, r0: number, r1 = r0, step = 0.5): Vessel {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  const n = Math.max(1, Math.round(len / step));
  const points: Vec3[] = [];
  const radii: number[] = [];
  for (let q = 0; q <= n; q++) {
    const t = q / n;
    points.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]);
    radii.push(r0 + (r1 - r0) * t);
  }
  return { name, points, radii };
}

export function set(vessels: Vessel[], lesions: VesselSet['lesions'] = []): VesselSet {
  return { vessels, lesions, source: 'test-vessels' };
}

/** numpy.percentile (linear) on an unsorted list, written independently of the code under test. */
export function npPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const pos = (p / 100) * (s.length - 1);
  const below = Math.floor(pos);
  const frac = pos - below;
  return frac === 0 ? (s[below] as number) : (s[below] as number) * (1 - frac) + (s[below + 1] as number) * frac;
}

export function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((x, y) => x + y, 0) / values.length;
}

export function sampleSd(values: number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values) as number;
  return Math.sqrt(values.reduce((acc, v) => acc + (v - m) ** 2, 0) / (values.length - 1));
}
