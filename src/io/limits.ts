/** Default budgets of the readers: what a header may claim before anything is allocated. */

/** Largest volume, in voxels (2^30: 512×512×4096). */
export const DEFAULT_MAX_VOXELS = 2 ** 30;

export { DEFAULT_MAX_POINTS } from '../volume/vessels';

/** The budgets a user may change (`--max-voxels`, `--max-points`); absent ones take the defaults. */
export interface ReadLimits {
  /** Largest CT or mask, in voxels (DEFAULT_MAX_VOXELS). */
  readonly maxVoxels?: number;
  /** Most centerline points in one file, over all its vessels (DEFAULT_MAX_POINTS). */
  readonly maxPoints?: number;
}

/** The part of `limits` the CT and mask readers take. */
export function voxelLimit(limits: ReadLimits): { maxVoxels?: number } {
  return limits.maxVoxels !== undefined ? { maxVoxels: limits.maxVoxels } : {};
}

/** The part of `limits` the centerline readers take. */
export function pointLimit(limits: ReadLimits): { maxPoints?: number } {
  return limits.maxPoints !== undefined ? { maxPoints: limits.maxPoints } : {};
}
