/**
 * From a minimal path of voxel centres to a centerline a measurement can use: the voxel staircase
 * smoothed out, each point pulled to the centroid of its lumen cross-section (the minimal path
 * still cuts bends a little), smoothed again without leaving the lumen, resampled, and a radius per
 * point from the cross-section at the local half-maximum: the boundary level follows the contrast
 * along the vessel (it fades distally, and partial volume dims a small lumen's middle).
 */
import type { Vec3 } from '../volume/geometry';
import { arcLengths } from '../volume/vessels';
import { crossSection, crossSectionRadius } from './cross-section';
import { resamplePolyline, smoothPolyline } from './smooth';
import { CALCIUM_HU } from './trace-levels';
import { membership, type Sampler } from './trace-sample';
import { dist, tangentAt } from './vec';

export interface VesselLumen {
  /** Median lumen and background HU over the vessel's clicks. */
  readonly lumenHu: number;
  readonly backgroundHu: number;
  /** Lowest boundary level of its clicks: what counts as still in the lumen. */
  readonly minLevel: number;
}

export interface Refined {
  readonly points: Vec3[];
  readonly radii: number[];
  /** Arc-length intervals (mm) where the centerline is out of the lumen. */
  readonly outside: [number, number][];
  /** Points whose radius was taken from their neighbours (centre not in the lumen). */
  readonly radiiFilled: number;
}

/** Centring passes; each moves a point by at most MAX_SHIFT_MM. */
const PASSES = 3;
const MAX_SHIFT_MM = 1;
/** Longest cross-section ray (mm): twice the largest coronary radius. */
const RAY_MM = 8;
/** Half-window (mm) of the local lumen HU along the centerline. */
const LOCAL_MM = 2;

export function refineCenterline(
  sample: Sampler,
  raw: readonly Vec3[],
  lumen: VesselLumen,
  spacingMm: number,
  stepMm: number,
): Refined {
  const contrast = lumen.lumenHu - lumen.backgroundHu;
  const level = (lumen.lumenHu + lumen.backgroundHu) / 2;
  const inside = membership(sample, level, contrast);
  // The staircase first: σ of about a voxel.
  let pts = resamplePolyline(smoothPolyline(raw, { sigmaMm: Math.max(0.5, spacingMm) }), stepMm).points;
  for (let pass = 0; pass < PASSES; pass++) {
    pts = pts.map((p, i) => {
      const cs = crossSection(inside, p, tangentAt(pts, i), { maxMm: RAY_MM });
      if (cs.radius <= 0) return p;
      const d = dist(cs.centroid, p);
      if (d <= MAX_SHIFT_MM) return cs.centroid;
      const f = MAX_SHIFT_MM / d;
      return [
        p[0] + f * (cs.centroid[0] - p[0]),
        p[1] + f * (cs.centroid[1] - p[1]),
        p[2] + f * (cs.centroid[2] - p[2]),
      ];
    });
    pts = resamplePolyline(smoothPolyline(pts, { sigmaMm: 0.8, inside }), stepMm).points;
  }
  const { radii, filled } = localRadii(sample, pts, lumen, level);
  const still = membership(sample, lumen.minLevel, contrast);
  return { points: pts, radii, outside: outsideRuns(pts, (p) => still(p) >= 0.5), radiiFilled: filled };
}

/** Radius per point at the local half-maximum; points whose centre is off the lumen take their neighbours'. */
function localRadii(
  sample: Sampler,
  pts: readonly Vec3[],
  lumen: VesselLumen,
  level: number,
): { radii: number[]; filled: number } {
  const s = arcLengths(pts);
  const centreHu = pts.map((p) => sample(p));
  // The local lumen HU may fall below the vessel's (fading contrast, a small lumen) but not into
  // the boundary's half (that would be a centre off the lumen, not a dimmer lumen).
  const floor = level + (lumen.lumenHu - level) / 2;
  const radii = pts.map((p, i) => {
    const window: number[] = [];
    for (let j = i; j >= 0 && (s[i] as number) - (s[j] as number) <= LOCAL_MM; j--) window.push(centreHu[j] as number);
    for (let j = i + 1; j < pts.length && (s[j] as number) - (s[i] as number) <= LOCAL_MM; j++)
      window.push(centreHu[j] as number);
    window.sort((a, b) => a - b);
    const med = window[window.length >> 1] as number;
    const peak = Math.min(CALCIUM_HU - 1, Math.max(floor, med));
    const localLevel = (peak + lumen.backgroundHu) / 2;
    const inside = membership(sample, localLevel, peak - lumen.backgroundHu);
    return crossSectionRadius(inside, p, tangentAt(pts, i), { maxMm: RAY_MM });
  });
  let filled = 0;
  const known = radii.map((r, i) => (r > 0 ? i : -1)).filter((i) => i >= 0);
  if (known.length === 0) return { radii, filled };
  for (let i = 0; i < radii.length; i++) {
    if ((radii[i] as number) > 0) continue;
    // Linear in arc length between the nearest known radii on either side.
    let a = -1;
    let b = -1;
    for (const k of known) {
      if (k < i) a = k;
      else if (b < 0) b = k;
    }
    if (a < 0) radii[i] = radii[b] as number;
    else if (b < 0) radii[i] = radii[a] as number;
    else {
      const f = ((s[i] as number) - (s[a] as number)) / ((s[b] as number) - (s[a] as number));
      radii[i] = (radii[a] as number) + f * ((radii[b] as number) - (radii[a] as number));
    }
    filled++;
  }
  return { radii, filled };
}

/** Arc-length intervals over which consecutive points are all off the lumen. */
function outsideRuns(pts: readonly Vec3[], isIn: (p: Vec3) => boolean): [number, number][] {
  const s = arcLengths(pts);
  const runs: [number, number][] = [];
  let from = -1;
  for (let i = 0; i <= pts.length; i++) {
    const out = i < pts.length && !isIn(pts[i] as Vec3);
    if (out && from < 0) from = i;
    if (!out && from >= 0) {
      // The run spans from the last point inside before it to the first inside after it.
      runs.push([s[Math.max(0, from - 1)] as number, s[Math.min(pts.length - 1, i)] as number]);
      from = -1;
    }
  }
  return runs;
}
