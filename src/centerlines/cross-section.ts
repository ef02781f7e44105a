/**
 * Lumen radius from a cross-section, not from the distance transform: the EDT to the nearest
 * background voxel centre overestimates the radius by about half a voxel and steps with the grid.
 * Rays in the plane ⟂ tangent stop where a continuous inside-ness (e.g. the binary mask
 * interpolated trilinearly, or a CT contrast ratio) drops below 0.5; the boundary is placed between
 * two samples by linear interpolation, and radius = sqrt(area / π) of the ray polygon.
 *
 * Generic on purpose: the mask-based derivation and CT-based tracing both pass an `inside`.
 * A ray that runs far past the others (a touching vein, a side branch, the aorta) is clamped to
 * 1.25 × the median ray so one leak does not inflate the radius or drag the centroid.
 */
import type { Vec3 } from '../volume/geometry';
import { perpFrame, unit } from './vec';

export interface CrossSectionOptions {
  /** Rays around the plane (default 32). */
  rays?: number;
  /** Longest ray (mm, default 8): a ray that never leaves the lumen stops here. */
  maxMm?: number;
  /** March step (mm, default 0.1); the crossing is then refined by linear interpolation. */
  stepMm?: number;
}

export interface CrossSection {
  /** sqrt(area / π) of the ray polygon, mm; 0 when the centre itself is outside. */
  radius: number;
  /** Centroid of the ray polygon (LPS mm): where the centre should be. */
  centroid: Vec3;
  /** Ray lengths (mm) after clamping, in angle order. */
  rays: Float64Array;
  /** Rays clamped as leaks (longer than 1.25 × the median). */
  leaks: number;
}

export function crossSection(
  inside: (p: Vec3) => number,
  centre: Vec3,
  tangent: Vec3,
  opts: CrossSectionOptions = {},
): CrossSection {
  const n = Math.max(8, Math.floor(opts.rays ?? 32));
  const maxMm = opts.maxMm ?? 8;
  const step = opts.stepMm ?? 0.1;
  const lengths = new Float64Array(n);
  if (!(inside(centre) >= 0.5)) return { radius: 0, centroid: [...centre], rays: lengths, leaks: 0 };
  const [u, v] = perpFrame(unit(tangent));
  const dirs: Vec3[] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const c = Math.cos(a);
    const s = Math.sin(a);
    const d: Vec3 = [c * u[0] + s * v[0], c * u[1] + s * v[1], c * u[2] + s * v[2]];
    dirs.push(d);
    let prevT = 0;
    let prevF = inside(centre);
    let hit = maxMm;
    for (let t = step; t <= maxMm + 1e-9; t += step) {
      const f = inside([centre[0] + t * d[0], centre[1] + t * d[1], centre[2] + t * d[2]]);
      if (f < 0.5) {
        hit = prevT + ((prevF - 0.5) / (prevF - f)) * (t - prevT);
        break;
      }
      prevT = t;
      prevF = f;
    }
    lengths[k] = hit;
  }
  const sorted = Array.from(lengths).sort((a, b) => a - b);
  const median = sorted[n >> 1] as number;
  let leaks = 0;
  for (let k = 0; k < n; k++) {
    if ((lengths[k] as number) > 1.25 * median) {
      lengths[k] = 1.25 * median;
      leaks++;
    }
  }
  // Polygon of the ray ends: area by triangles fan, centroid by area-weighted triangle centroids.
  const sin = Math.sin((2 * Math.PI) / n);
  let area = 0;
  const c: Vec3 = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const r0 = lengths[k] as number;
    const r1 = lengths[(k + 1) % n] as number;
    const a = 0.5 * r0 * r1 * sin;
    const d0 = dirs[k] as Vec3;
    const d1 = dirs[(k + 1) % n] as Vec3;
    area += a;
    for (let i = 0; i < 3; i++) c[i] = (c[i] as number) + (a * (r0 * (d0[i] as number) + r1 * (d1[i] as number))) / 3;
  }
  const centroid: Vec3 =
    area > 0 ? [centre[0] + c[0] / area, centre[1] + c[1] / area, centre[2] + c[2] / area] : [...centre];
  return { radius: Math.sqrt(area / Math.PI), centroid, rays: lengths, leaks };
}

/** Equivalent-circle lumen radius (mm) of the cross-section ⟂ `tangent` at `centre`. */
export function crossSectionRadius(
  inside: (p: Vec3) => number,
  centre: Vec3,
  tangent: Vec3,
  opts?: CrossSectionOptions,
): number {
  return crossSection(inside, centre, tangent, opts).radius;
}
