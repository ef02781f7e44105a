/** Default budgets of the readers: what a header may claim before anything is allocated. */

/** Largest volume, in voxels (2^30: 512×512×4096). */
export const DEFAULT_MAX_VOXELS = 2 ** 30;

export { DEFAULT_MAX_POINTS } from '../volume/vessels';

/**
 * The budgets a user may change (`--max-voxels`, `--max-points`); absent ones take the defaults.
 * Every reader's options take the whole set and read the budget that is theirs.
 */
export interface ReadLimits {
  /** Largest CT or mask, in voxels (DEFAULT_MAX_VOXELS). */
  readonly maxVoxels?: number;
  /** Most centerline points in one file, over all its vessels (DEFAULT_MAX_POINTS). */
  readonly maxPoints?: number;
}
