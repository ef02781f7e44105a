/**
 * The phantom's anatomy, in mm relative to the heart centre, LPS axes (+x left, +y posterior,
 * +z superior), at scale 1 (heart fitted to a 76.8 mm field of view; everything but the vessel
 * radii scales with `scale`).
 *
 * Layers are shells of the ellipsoidal radius ρ = |(x/a, y/b, z/c)| with (a, b, c) = SEMI_AXES:
 *   ρ ≤ 0.62 blood pool (contrast) · ≤ 1 myocardium · ≤ 1.4 epicardial fat · ≤ 1.45 pericardium
 *   (fibrous sac) · then anterior paracardial fat (ρ ≤ 1.65, y < 0), lungs laterally, soft tissue,
 *   air outside the body cylinder. The pericardium mask is ρ ≤ 1.4 (the sac's content).
 * Coronary centerlines lie on the surface ρ = vesselRho(scale) inside the fat, with radii tapering
 * linearly with arc length; their lumens are drawn from the same polylines that are written out.
 */
import type { Vec3 } from '../volume/geometry';

export const SEMI_AXES: Vec3 = [20, 18, 22];
export const RHO = { blood: 0.62, myocardium: 1.0, fat: 1.4, sac: 1.45, paracardial: 1.65 } as const;
/**
 * Ellipsoidal radius of the vessel paths: 0.17 above the myocardium at scale 1 (≈ 3–3.7 mm from it),
 * kept at the same distance in mm at any scale, so the VOI always reaches the myocardium
 * (fat fraction < 1) as the radii do not scale.
 */
export function vesselRho(scale: number): number {
  return 1 + 0.17 / scale;
}
/** Body cylinder semi-axes (x, y) and lung boundary |x| (mm, scale 1). */
export const BODY: [number, number] = [37, 35];
export const LUNG_X = 14;
export const REFERENCE_FOV_MM = 76.8;

/** Integer HU of the non-fat tissues (kVp-independent in this phantom). */
export const HU = {
  air: -1000,
  lung: -850,
  body: 40,
  pericardium: 20,
  myocardium: 50,
  blood: 350,
  lumen: 400,
} as const;

/** Paracardial fat at 120 kVp (constant; scaled by f(kVp) like all fat). */
export const PARACARDIAL_FAT_HU = -100;

/**
 * Epicardial fat law at 120 kVp, w = distance (mm) from the nearest vessel wall (METHOD.md w of the
 * owning vessel): HU = base + A·exp(−w/λ) for w ≤ cutoff, base beyond; A per vessel, raised by
 * `lesionBoost` where the nearest point lies in a lesion interval. At kVp the value is multiplied
 * by f(kVp), then rounded and clamped to the fat window.
 */
export const FAT_LAW = {
  baseHu: -105,
  lambdaMm: 4,
  cutoffMm: 20,
  amplitude: { RCA: 58, LAD: 43, LCx: 18, RI: 30 } as Record<string, number>,
  lesionBoost: 22,
};

export const LESIONS = [{ vessel: 'LAD', startMm: 12, endMm: 21.5 }] as const;
/** Calcified plaque: LAD arc length interval, shell thickness outside the lumen, HU range. */
export const PLAQUE = { vessel: 'LAD', startMm: 15, endMm: 19, thicknessMm: 0.8, huWall: 900, huOuter: 650 } as const;

/** A vessel as a path on the ellipsoid ρ = vesselRho(scale): angles (degrees) linear in t ∈ [0, 1]. */
export interface VesselPath {
  name: string;
  theta: [number, number];
  phi: [number, number];
  radius: [number, number];
}

export const VESSEL_PATHS: readonly VesselPath[] = [
  // right AV groove: from anterior-right, round the right border to the posterior side
  { name: 'RCA', theta: [-112, -262], phi: [22, -18], radius: [2.0, 1.3] },
  // anterior interventricular groove, down to the apex
  { name: 'LAD', theta: [-68, -92], phi: [54, -74], radius: [1.9, 1.2] },
  // left AV groove, round the left border to the posterior side
  { name: 'LCx', theta: [-42, 100], phi: [28, 4], radius: [1.8, 1.2] },
];

/** Point of a path at t, relative to the heart centre, at the given scale. */
export function pathPoint(p: VesselPath, t: number, scale: number): Vec3 {
  const th = ((p.theta[0] + (p.theta[1] - p.theta[0]) * t) * Math.PI) / 180;
  const ph = ((p.phi[0] + (p.phi[1] - p.phi[0]) * t) * Math.PI) / 180;
  const k = vesselRho(scale) * scale;
  return [
    k * SEMI_AXES[0] * Math.cos(ph) * Math.cos(th),
    k * SEMI_AXES[1] * Math.cos(ph) * Math.sin(th),
    k * SEMI_AXES[2] * Math.sin(ph),
  ];
}
