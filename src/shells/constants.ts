/**
 * The numbers the pericoronary shell kernels (WGSL) and the host (TypeScript) share. The WGSL
 * declares each of them as an `override` without a default and the kernel modules set them from
 * here (`shellOverrides`), so shader and host cannot drift; the binding test checks the names.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../measure/pericoronary-types';

/** Owner code of a voxel that belongs to no vessel (the low 8 bits of the owner word). */
export const NO_OWNER = 255;
/** Owner flag: inside some lumen (w ≤ 0 for some vessel), by the f32 geometry. */
export const LUMEN_BIT = 256;
/**
 * Owner flag: the f32 geometry cannot decide the lumen test or the ownership (a |w| or a
 * difference of two vessels' w within the uncertainty band): the host settles it in float64.
 */
export const UNDECIDED_BIT = 512;
/**
 * Owner flag: the owning vessel's nearest point is not unique within the band (segments nearly
 * equidistant, e.g. on the bisector of a bend) and their arc lengths straddle one of its s
 * thresholds (segment or lesion end): which side s falls on is settled in float64.
 */
export const S_UNSURE_BIT = 1024;
/**
 * The owner word's tie mask starts at this bit: bit TIE_SHIFT + v is set for every vessel v whose
 * w equals the owner's exactly (METHOD.md §4: an exact tie counts for every tied vessel). The f32
 * kernels set it only for ties they can prove exact (every near tie in one part that the vessels
 * share); the owner itself is the lowest tied index and its own bit is set too.
 * MAX_VESSELS (12) bits fit above the flags: 16 + 12 ≤ 32.
 */
export const TIE_SHIFT = 16;
/**
 * Half-width (mm) of the band around each decision threshold inside which f32 geometry is not
 * trusted. Crop-local coordinates stay below ~300 mm, where f32 resolves ~2e-5 mm, so the f32
 * distance of a voxel to a segment is within ~1e-4 mm of float64: 1e-3 mm is a wide margin.
 */
export const BAND_MM = Math.fround(1e-3);
/**
 * Slack (mm) on the candidate lower bounds (stored as f32): the bounds are rounded, and a bound
 * must never exceed the true distance by more than this.
 */
export const BOUND_SLACK_MM = Math.fround(1e-4);
/** "Far": a squared distance larger than any real one; finite so no infinity enters f32 math. */
export const FAR_D2 = Math.fround(3.0e38);
/** f32 words per segment record: ax ay az ex ey ez len² s_a Δs r_a Δr 0 (crop-local mm). */
export const SEGMENT_WORDS = 12;
/** f32 words per candidate plane: nx ny nz (unit normal) and dc, the distance from the cell centre. */
export const PLANE_WORDS = 4;

/**
 * Why the label kernel leaves a voxel to the float64 settling: the code it stores with the voxel
 * (WGSL override R_<NAME>) and the name the report's diagnostics use.
 */
export const UNDECIDED_REASONS = {
  R_GEOMETRY: { code: 1, name: 'lumenOrOwnership' },
  R_GUARD: { code: 2, name: 'calciumGuard' },
  R_GAP: { code: 3, name: 'wallGap' },
  R_VOI: { code: 4, name: 'voiBound' },
  R_RING: { code: 5, name: 'ringBound' },
  R_ARC: { code: 6, name: 'arcLength' },
} as const;

/** The override constants of the shell kernels, by WGSL name (each kernel takes those it declares). */
export function shellOverrides(names: readonly string[]): Record<string, number> {
  const all: Record<string, number> = {
    ...Object.fromEntries(Object.entries(UNDECIDED_REASONS).map(([k, v]) => [k, v.code])),
    NO_OWNER,
    LUMEN_BIT,
    UNDECIDED_BIT,
    S_UNSURE_BIT,
    TIE_SHIFT,
    BAND_MM,
    BOUND_SLACK_MM,
    FAR_D2,
    RINGS: RING_COUNT,
    RING_WIDTH: RING_WIDTH_MM,
  };
  const out: Record<string, number> = {};
  for (const n of names) {
    const v = all[n];
    if (v === undefined) throw new Error(`no shared constant ${n}`);
    out[n] = v;
  }
  return out;
}
