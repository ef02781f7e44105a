/** Crops of a volume's grid (the pericoronary work happens in a box around the vessels). */
import type { Vec3 } from './geometry';

/** A crop layer placed back into a zero volume of the full dims (voxel order i fastest). */
export function uncrop(layer: Uint8Array, crop: { lo: Vec3; hi: Vec3 }, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const cx = crop.hi[0] - crop.lo[0];
  const cy = crop.hi[1] - crop.lo[1];
  const cz = crop.hi[2] - crop.lo[2];
  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      const src = cx * (j + cy * k);
      out.set(layer.subarray(src, src + cx), crop.lo[0] + nx * (crop.lo[1] + j + ny * (crop.lo[2] + k)));
    }
  return out;
}
