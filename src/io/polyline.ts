/** Centerline polylines: validation, resampling to a fixed arc-length step, and the inside-the-CT check. */
import { type Geometry, type Vec3, worldToVoxel } from '../volume/geometry';
import { MAX_RADIUS_MM, arcLengths, type Vessel, type VesselSet } from '../volume/vessels';
import { fail } from './errors';

/** Points at arc lengths 0, step, 2·step, … and the distal end; radii interpolated linearly along the arc. */
export function resamplePolyline(vessel: Vessel, stepMm: number): Vessel {
  if (!(stepMm > 0) || !Number.isFinite(stepMm))
    throw new RangeError(`resamplePolyline: step must be a positive number of mm, got ${stepMm}`);
  const pts = vessel.points;
  if (pts.length < 2) return vessel;
  const s = arcLengths(pts);
  const total = s[s.length - 1] as number;
  const points: Vec3[] = [];
  const radii: number[] = [];
  let seg = 0;
  const n = Math.floor(total / stepMm + 1e-9);
  const targets: number[] = [];
  for (let k = 0; k <= n; k++) targets.push(k * stepMm);
  // The distal end is kept unless the last step already landed on it.
  if (total - (targets[targets.length - 1] as number) > 1e-6 * Math.max(1, stepMm)) targets.push(total);
  for (const t of targets) {
    while (seg < pts.length - 2 && (s[seg + 1] as number) < t) seg++;
    const s0 = s[seg] as number;
    const s1 = s[seg + 1] as number;
    const u = s1 > s0 ? Math.min(1, Math.max(0, (t - s0) / (s1 - s0))) : 0;
    const a = pts[seg] as Vec3;
    const b = pts[seg + 1] as Vec3;
    points.push([a[0] + u * (b[0] - a[0]), a[1] + u * (b[1] - a[1]), a[2] + u * (b[2] - a[2])]);
    const ra = vessel.radii[seg] as number;
    const rb = vessel.radii[seg + 1] as number;
    radii.push(ra + u * (rb - ra));
  }
  return { name: vessel.name, points, radii };
}

/**
 * At least two finite points, one finite radius in [0, MAX_RADIUS_MM] per point, some length, and
 * no more points than the file's budget.
 */
export function validateVessel(v: Vessel, source: string, maxPoints: number): void {
  const where = `vessel "${v.name}"`;
  if (v.points.length > maxPoints) {
    fail('E_TOO_LARGE', source, `${where} has ${v.points.length} points (limit ${maxPoints}; --max-points)`);
  }
  if (v.points.length < 2)
    fail('E_CENTERLINE', source, `${where} has ${v.points.length} point(s); a centerline needs at least 2`);
  if (v.radii.length !== v.points.length)
    fail('E_CENTERLINE', source, `${where} has ${v.points.length} points but ${v.radii.length} radii`);
  v.points.forEach((p, i) => {
    if (p.length !== 3 || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      fail('E_CENTERLINE', source, `${where} point ${i} is not three finite numbers (NaN/Inf or wrong length)`);
    }
  });
  v.radii.forEach((r, i) => {
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > MAX_RADIUS_MM)
      fail('E_CENTERLINE', source, `${where} radius ${i} is ${String(r)} mm; radii must be 0–${MAX_RADIUS_MM} mm`);
  });
  const s = arcLengths(v.points);
  if (!((s[s.length - 1] as number) > 0))
    fail('E_CENTERLINE', source, `${where} has zero length (all points coincide)`);
}

/** Every point must lie inside the CT grid (within half a voxel of its outer voxel centres). */
export function checkInside(set: VesselSet, ct: Geometry): void {
  for (const v of set.vessels) {
    v.points.forEach((p, i) => {
      const ijk = worldToVoxel(ct, p);
      for (let a = 0; a < 3; a++) {
        const x = ijk[a] as number;
        if (!(x >= -0.5 && x <= (ct.dims[a] as number) - 0.5)) {
          fail(
            'E_CENTERLINE',
            set.source,
            `vessel "${v.name}" point ${i} (${p.map((c) => c.toFixed(2)).join(', ')} mm LPS) is outside the CT volume (voxel ${ijk.map((c) => c.toFixed(1)).join(', ')}; dims ${ct.dims.join('×')})`,
          );
        }
      }
    });
  }
}

/** Lesions name an existing vessel and a non-empty interval. */
export function validateLesions(set: VesselSet): void {
  const names = new Set(set.vessels.map((v) => v.name));
  set.lesions.forEach((l, i) => {
    if (!names.has(l.vessel))
      fail('E_CENTERLINE', set.source, `lesion ${i} names vessel "${l.vessel}", which is not in the file`);
    if (!(Number.isFinite(l.startMm) && Number.isFinite(l.endMm) && l.startMm >= 0 && l.endMm > l.startMm)) {
      fail(
        'E_CENTERLINE',
        set.source,
        `lesion ${i} on "${l.vessel}" has an invalid interval [${l.startMm}, ${l.endMm}] mm`,
      );
    }
  });
}
