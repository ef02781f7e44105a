/**
 * CPU twin of the exact anisotropic Euclidean distance transform (the feature transform + edt.wgsl):
 * squared distances in mm², f32, identical to the GPU's (edt.ts). Brute force: test/oracles.
 *
 * Convention (both backends): unsigned → for every voxel the squared distance to the nearest mask
 * voxel (0 on the mask), +∞ when the mask is empty. Signed → outside voxels as unsigned; inside
 * voxels −(squared distance to the nearest background voxel), −∞ when there is no background.
 */
import type { Vec3 } from '../../volume/geometry';
import { dist2F32, featureInitFromMask, featureTransformCpu } from '../feature-transform/feature-transform.cpu';
import { NO_SITE } from '../feature-transform/feature-constants';

const f = Math.fround;

export interface EdtOptions {
  signed?: boolean;
}

export function edtCpu(dims: Vec3, spacing: Vec3, mask: Uint8Array, opts: EdtOptions = {}): Float32Array {
  const sp = spacing.map((s) => f(s)) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  if (mask.length !== n) throw new RangeError(`mask has ${mask.length} voxels, dims ${dims.join('×')} need ${n}`);
  const out = new Float32Array(n);
  const ft = featureTransformCpu(dims, sp, featureInitFromMask(mask));
  for (let v = 0; v < n; v++) {
    const s = ft[v] as number;
    // A voxel that is its own site is at distance 0 (what dist2F32 gives, without the arithmetic).
    out[v] = s === v ? 0 : s === NO_SITE ? Infinity : dist2F32(dims, sp, v, s);
  }
  if (opts.signed) {
    const bg = featureTransformCpu(dims, sp, featureInitFromMask(mask, true));
    for (let v = 0; v < n; v++) {
      if (mask[v] === 0) continue;
      const s = bg[v] as number;
      out[v] = s === NO_SITE ? -Infinity : -dist2F32(dims, sp, v, s);
    }
  }
  return out;
}
