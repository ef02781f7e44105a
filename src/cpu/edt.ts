/**
 * CPU reference of the exact anisotropic Euclidean distance transform (feature transform +
 * shaders/edt_distance.wgsl): squared distances in mm², f32, identical to the GPU's.
 *
 * Convention (both backends): unsigned → for every voxel the squared distance to the nearest mask
 * voxel (0 on the mask), +∞ when the mask is empty. Signed → outside voxels as unsigned; inside
 * voxels −(squared distance to the nearest background voxel), −∞ when there is no background.
 */
import type { Vec3 } from '../volume/geometry';
import { dist2F32, featureInitFromMask, featureTransformCpu } from './feature-transform';
import { NO_SITE } from '../kernels/feature-constants';

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
    out[v] = s === NO_SITE ? Infinity : dist2F32(dims, sp, v, s);
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

/** Brute-force f64 oracle with the same convention, for small volumes. */
export function edtBrute(dims: Vec3, spacing: Vec3, mask: Uint8Array, opts: EdtOptions = {}): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const fg: number[] = [];
  const bg: number[] = [];
  for (let v = 0; v < n; v++) (mask[v] !== 0 ? fg : bg).push(v);
  const out = new Float64Array(n);
  const nearest = (v: number, set: number[]): number => {
    const x = v % nx;
    const y = Math.floor(v / nx) % ny;
    const z = Math.floor(v / (nx * ny));
    let best = Infinity;
    for (const s of set) {
      const dx = (x - (s % nx)) * spacing[0];
      const dy = (y - (Math.floor(s / nx) % ny)) * spacing[1];
      const dz = (z - Math.floor(s / (nx * ny))) * spacing[2];
      best = Math.min(best, dx * dx + dy * dy + dz * dz);
    }
    return best;
  };
  for (let v = 0; v < n; v++) {
    out[v] = opts.signed && mask[v] !== 0 ? -nearest(v, bg) : mask[v] !== 0 ? 0 : nearest(v, fg);
  }
  return out;
}
