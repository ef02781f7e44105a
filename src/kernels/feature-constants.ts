/**
 * Numbers the feature-transform kernels (feature_*.wgsl) and their CPU mirror share. GPU-free, so
 * src/cpu may import it.
 */

/** Sentinel of feature transforms: no site on the line / in the volume. */
export const NO_SITE = 0xffffffff;
/** u32 words per seed record of feature_seed.wgsl: the site's voxel index. */
export const SEED_WORDS = 1;
