/**
 * The phantom's coronary centerlines (VesselSet) from the analytic paths in anatomy.ts.
 */
import type { Vec3 } from '../volume/geometry';
import type { Vessel, VesselSet } from '../volume/vessels';
import { LESIONS, pathPoint, VESSEL_PATHS } from './anatomy';
import { sampleCurve } from './centerline';

export const SHORT_LCX_MM = 25;

export interface VesselBuildOptions {
  centre: Vec3;
  scale: number;
  shortLcx: boolean;
  /** When set, the RCA goes on straight along its end tangent for this many mm. */
  rcaExtensionMm: number | null;
  source: string;
}

export function buildVessels(o: VesselBuildOptions): VesselSet {
  const vessels: Vessel[] = VESSEL_PATHS.map((path) => {
    const curve = (t: number): Vec3 => {
      const q = pathPoint(path, t, o.scale);
      return [o.centre[0] + q[0], o.centre[1] + q[1], o.centre[2] + q[2]];
    };
    const full = sampleCurve(curve);
    const length = full.arc[full.arc.length - 1] as number;
    const c = path.name === 'LCx' && o.shortLcx ? sampleCurve(curve, 0.5, SHORT_LCX_MM) : full;
    // Radius tapers linearly with arc length over the whole (untruncated) vessel.
    const radii = c.arc.map((s) => path.radius[0] + ((path.radius[1] - path.radius[0]) * s) / length);
    const points = c.points.slice();
    if (path.name === 'RCA' && o.rcaExtensionMm !== null) {
      const a = points[points.length - 2] as Vec3;
      const b = points[points.length - 1] as Vec3;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
      const dir: Vec3 = [(b[0] - a[0]) / len, (b[1] - a[1]) / len, (b[2] - a[2]) / len];
      const rEnd = radii[radii.length - 1] as number;
      const steps = Math.ceil(o.rcaExtensionMm / 0.5);
      for (let q = 1; q <= steps; q++) {
        points.push([b[0] + dir[0] * 0.5 * q, b[1] + dir[1] * 0.5 * q, b[2] + dir[2] * 0.5 * q]);
        radii.push(rEnd);
      }
    }
    return { name: path.name, points, radii };
  });
  return { vessels, lesions: LESIONS.map((l) => ({ ...l })), source: o.source };
}
