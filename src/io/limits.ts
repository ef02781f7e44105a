/** Default budgets of the readers: what a header may claim before anything is allocated. */

/** Largest volume, in voxels (2^30: 512×512×4096). */
export const DEFAULT_MAX_VOXELS = 2 ** 30;
