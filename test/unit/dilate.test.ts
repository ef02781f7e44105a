/** Mask growth against brute force over all voxel pairs. */
import { describe, expect, it } from 'vitest';
import { growMask } from '../../src/volume/dilate';
import { rng } from '../helpers/random';

function bruteForce(labels: Uint8Array, dims: [number, number, number], sp: [number, number, number], mm: number) {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(labels.length);
  const on: [number, number, number][] = [];
  for (let n = 0; n < labels.length; n++)
    if (labels[n]) on.push([n % nx, Math.floor(n / nx) % ny, Math.floor(n / (nx * ny))]);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        for (const [a, b, c] of on)
          if (((i - a) * sp[0]) ** 2 + ((j - b) * sp[1]) ** 2 + ((k - c) * sp[2]) ** 2 <= mm * mm) {
            out[i + nx * (j + ny * k)] = 1;
            break;
          }
  return out;
}

describe('growMask', () => {
  it('matches brute force on random masks with anisotropic spacing', () => {
    const r = rng(5);
    const dims: [number, number, number] = [13, 11, 9];
    const spacing: [number, number, number] = [0.35, 0.5, 0.8];
    for (const frac of [0, 0.01, 0.05, 0.3]) {
      const labels = Uint8Array.from({ length: 13 * 11 * 9 }, () => (r() < frac ? 3 : 0));
      for (const mm of [0.6, 1.3, 2.2]) {
        expect(Array.from(growMask(labels, { dims, spacing }, mm))).toEqual(
          Array.from(bruteForce(labels, dims, spacing, mm)),
        );
      }
    }
  });
});
