/**
 * Public types of the synthetic cardiac CT phantom and of its ground-truth oracle.
 */
import type { Mat3, Vec3 } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { VesselSet } from '../volume/vessels';
import type { Report } from '../measure/report-types';

export interface PhantomOptions {
  /** Voxels along i, j, k. Default 192×192×128. */
  dims?: Vec3;
  /** Voxel size (mm) along i, j, k. Default 0.4×0.4×0.6. */
  spacing?: Vec3;
  /**
   * LPS position of voxel (0,0,0). Default: chosen so that the volume centre is at LPS (0,0,0)
   * (the anatomy is always centred on the volume centre, whatever the origin).
   */
  origin?: Vec3;
  /** Direction cosines (row-major, column c = LPS axis of voxel axis c). Must be orthonormal. Default identity. */
  direction?: Mat3;
  /** Tube voltage; fat HU are scaled by f(kVp) (Etter 2023 factors). Default 120. */
  kvp?: number;
  /** Gaussian noise SD in HU, rounded so HU stay integral. Default 0 (none). */
  noiseSd?: number;
  /** Calcified plaque on the LAD (eccentric, 650–900 HU). Default false. */
  calcium?: boolean;
  /** Seed of the noise generator. Default 1. */
  seed?: number;
  /**
   * Edge case: the LCx stops after 25 mm, short of its default segment (0–40 mm). Default false.
   */
  shortLcx?: boolean;
  /** Edge case: the RCA goes on straight out of the heart and leaves the volume. Default false. */
  rcaLeavesVolume?: boolean;
  /**
   * Centerlines shaped like traced coronaries (tree.ts): tortuous, sampled every 0.3–0.7 mm with
   * jitter, a left main stem splitting into LAD, LCx (and RI with `branches: 3`), each branch given
   * from the ostium (stem repeated) or from the bifurcation. Default: the smooth analytic paths.
   */
  tree?: { branchesFrom?: 'ostium' | 'bifurcation'; branches?: 2 | 3 };
  /**
   * Aortic sinuses (sinuses.ts): a contrast ball behind each ostium, so the coronary tree meets an
   * aorta as in a CCTA; the phantom then also holds `coronaryMask` and `aorta`. Default false.
   */
  aorticSinuses?: boolean;
  /**
   * Size of the anatomy relative to the reference (heart fitted to a 76.8 mm field of view).
   * Default: smallest field-of-view extent / 76.8 mm, so the heart fills the volume at any size.
   * Vessel radii do not scale.
   */
  scale?: number;
  /** Name used as `source` of the volumes. Default 'phantom'. */
  name?: string;
  /**
   * Fat-law amplitude A (HU at the wall, 120 kVp) by vessel name, replacing the defaults (RCA 58,
   * LAD 43, LCx 18, RI 30) for the vessels named: how much denser the fat is near that vessel's
   * wall. Simulated cohorts make it depend on a hidden label (test/analyze). Finite, |A| ≤ 200.
   */
  fatAmplitude?: Readonly<Record<string, number>>;
}

/** Tissue classes of the phantom (the `tissue` labelmap), for tests and debugging. */
export const TISSUE = {
  air: 0,
  body: 1,
  lung: 2,
  pericardium: 3,
  paracardialFat: 4,
  epicardialFat: 5,
  myocardium: 6,
  blood: 7,
  lumen: 8,
  plaque: 9,
} as const;
export type TissueCode = (typeof TISSUE)[keyof typeof TISSUE];

export interface Phantom {
  ct: CtVolume & { hu: Int16Array };
  /** 1 inside the pericardial sac (the visceral pericardium encloses heart, vessels and EAT). */
  pericardium: LabelVolume;
  vessels: VesselSet;
  /** What each voxel is (TISSUE codes), before noise. */
  tissue: LabelVolume;
  /** The coronary lumen (TISSUE.lumen) as a binary mask: what a segmentation model would give. */
  coronaryMask: LabelVolume;
  /** The aortic sinuses' mask, with `aorticSinuses` (else null). */
  aorta: LabelVolume | null;
  /** The analytic parameters used (for tests that re-derive HU). */
  params: PhantomParams;
  /** Ground truth by `computeTruth` with default options, computed on first access (then cached). */
  readonly truth: Report;
}

export interface PhantomParams {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
  kvp: number;
  /** f(kVp): fat HU at this kVp = f · fat HU at 120 kVp. */
  kvpFactor: number;
  scale: number;
  /** Heart centre (LPS mm). */
  centre: Vec3;
  /** Semi-axes (mm) of the unit ellipsoid that the layers are multiples of. */
  semiAxes: Vec3;
  noiseSd: number;
  seed: number;
  calcium: boolean;
  /** Fat law: HU = round(f · (base + A·exp(−w/lambda))) for w ≤ cutoff, else round(f · base), clamped to [-190,-30]. */
  fatLaw: {
    baseHu: number;
    lambdaMm: number;
    cutoffMm: number;
    amplitude: Record<string, number>;
    lesionBoost: number;
  };
  /** Plaque arc-length interval on the LAD (mm), when calcium is on. */
  plaqueMm: [number, number] | null;
}

export interface TruthOptions {
  /** Fat window (inclusive). Default [-190, -30]. */
  fatWindow?: [number, number];
  /** Per-vessel segment [s0, s1] in mm, by vessel name. Defaults RCA 10–50, LAD 0–40, LCx 0–40, others whole vessel. */
  segments?: Record<string, [number, number]>;
  /** Wall gap g (mm): exclude 0 < w ≤ g from every per-vessel region. Default 0. */
  wallGapMm?: number;
  /** Calcium guard c (mm): exclude voxels within ≤ c mm of a ≥ 130 HU voxel outside every lumen. Default 0 (off). */
  calciumGuardMm?: number;
  /** EAT axial limits as slice indices [k0, k1], inclusive. Default none. */
  eatSlices?: [number, number] | null;
  /** kVp → factor table. Default {80: 1.267, 100: 1.080, 120: 1.0, 140: 0.947}. */
  kvpFactors?: Record<number, number>;
  /** Overrides ct.kvp. */
  kvp?: number | null;
}
