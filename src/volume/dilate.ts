/**
 * Grow a mask by a distance in mm: every voxel whose centre lies within `mm` of a mask voxel's
 * centre (true anisotropic mm). Stamps a ball of offsets around boundary voxels only, so the cost
 * is the surface times the ball, not the volume times the ball.
 */
import type { Geometry } from './geometry';

export function growMask(labels: Uint8Array, grid: Pick<Geometry, 'dims' | 'spacing'>, mm: number): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const [sx, sy, sz] = grid.spacing;
  // A loop, not Uint8Array.from(labels, fn): V8 collects a mapped source into a plain array first,
  // which cannot hold the 157 M voxels of a 512×512×600 CT.
  const out = new Uint8Array(labels.length);
  for (let n = 0; n < labels.length; n++) if (labels[n] !== 0) out[n] = 1;
  if (!(mm > 0)) return out;
  const ri = Math.floor(mm / sx);
  const rj = Math.floor(mm / sy);
  const rk = Math.floor(mm / sz);
  const ball: [number, number, number][] = [];
  for (let dk = -rk; dk <= rk; dk++)
    for (let dj = -rj; dj <= rj; dj++)
      for (let di = -ri; di <= ri; di++)
        if ((di * sx) ** 2 + (dj * sy) ** 2 + (dk * sz) ** 2 <= mm * mm) ball.push([di, dj, dk]);
  const inside = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && labels[i + nx * (j + ny * k)] !== 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (!inside(i, j, k)) continue;
        const boundary =
          !inside(i - 1, j, k) ||
          !inside(i + 1, j, k) ||
          !inside(i, j - 1, k) ||
          !inside(i, j + 1, k) ||
          !inside(i, j, k - 1) ||
          !inside(i, j, k + 1);
        if (!boundary) continue;
        for (const [di, dj, dk] of ball) {
          const a = i + di;
          const b = j + dj;
          const c = k + dk;
          if (a >= 0 && b >= 0 && c >= 0 && a < nx && b < ny && c < nz) out[a + nx * (b + ny * c)] = 1;
        }
      }
    }
  }
  return out;
}
