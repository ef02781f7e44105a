/**
 * Coronary centerlines and lesions, in LPS mm (whatever space the file used is converted on load).
 */
import type { Vec3 } from './geometry';

export interface Vessel {
  /** e.g. "RCA", "LAD", "LCx", or any name. */
  readonly name: string;
  /** Ordered from the ostium distally, LPS mm. At least 2 points. */
  readonly points: readonly Vec3[];
  /** Lumen radius (mm) at each point; same length as `points`. */
  readonly radii: readonly number[];
}

export interface Lesion {
  readonly vessel: string;
  readonly startMm: number;
  readonly endMm: number;
}

export interface VesselSet {
  readonly vessels: readonly Vessel[];
  readonly lesions: readonly Lesion[];
  /** Where it came from (path or name). */
  readonly source: string;
  /**
   * The point budget it was read under when a reader was given another than DEFAULT_MAX_POINTS
   * (`--max-points`): preparing it for a measurement checks against the same budget.
   */
  readonly maxPoints?: number;
}

/** Largest lumen radius accepted (mm): coronaries are 1–3 mm, the aortic root ~15 mm. */
export const MAX_RADIUS_MM = 25;
/**
 * Most centerline points a set may hold, over all its vessels, unless a reader is given another
 * budget (`--max-points`). The classification's cost grows with the points near each voxel, so the
 * budget is sized for time: one vessel of 20,000 points packed into 42 mm of a 96×96×64 CT (the
 * worst case: every point near the same voxels) measures in about 30 s and 0.5 GB on 2 cores.
 * Traced coronaries need far fewer (three vessels of 150 mm at 0.1 mm: 4,500).
 */
export const DEFAULT_MAX_POINTS = 20_000;

/** Cumulative arc length (mm) at each point of a polyline, 0 at the first point. */
export function arcLengths(points: readonly Vec3[]): Float64Array {
  const s = new Float64Array(points.length);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as Vec3;
    const b = points[i] as Vec3;
    s[i] = (s[i - 1] as number) + Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  }
  return s;
}
