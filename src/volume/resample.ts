/**
 * Nearest-neighbour resampling of a labelmap onto another grid through world (LPS) coordinates.
 */
import { type Geometry, voxelToWorld, worldToVoxel, sameGrid } from './geometry';
import type { LabelVolume } from './volume';

/**
 * The labels of `src` at the voxel centres of `target` (nearest neighbour; 0 outside `src`).
 * Returns `src` itself when the grids already match.
 */
export function resampleLabelsNearest(src: LabelVolume, target: Geometry): LabelVolume {
  if (sameGrid(src, target)) return src;
  const [nx, ny, nz] = target.dims;
  const [sx, sy, sz] = src.dims;
  const out = new Uint8Array(nx * ny * nz);
  // world(i,j,k) is affine in (i,j,k), and so is the source index: step it incrementally.
  const o = worldToVoxel(src, voxelToWorld(target, [0, 0, 0]));
  const ei = sub(worldToVoxel(src, voxelToWorld(target, [1, 0, 0])), o);
  const ej = sub(worldToVoxel(src, voxelToWorld(target, [0, 1, 0])), o);
  const ek = sub(worldToVoxel(src, voxelToWorld(target, [0, 0, 1])), o);
  let n = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const bx = o[0] + ej[0] * j + ek[0] * k;
      const by = o[1] + ej[1] * j + ek[1] * k;
      const bz = o[2] + ej[2] * j + ek[2] * k;
      for (let i = 0; i < nx; i++, n++) {
        const si = Math.round(bx + ei[0] * i);
        const sj = Math.round(by + ei[1] * i);
        const sk = Math.round(bz + ei[2] * i);
        if (si < 0 || sj < 0 || sk < 0 || si >= sx || sj >= sy || sk >= sz) continue;
        out[n] = src.labels[si + sx * (sj + sy * sk)] as number;
      }
    }
  }
  return {
    dims: target.dims,
    spacing: target.spacing,
    origin: target.origin,
    direction: target.direction,
    labels: out,
    source: src.source,
  };
}

function sub(a: [number, number, number], b: [number, number, number]): [number, number, number] {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
