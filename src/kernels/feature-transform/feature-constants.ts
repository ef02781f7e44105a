/**
 * Numbers the feature-transform kernel (feature-transform*.wgsl) and its CPU twin share.
 */

/** Sentinel of feature transforms: no site on the line / in the volume. */
export const NO_SITE = 0xffffffff;
