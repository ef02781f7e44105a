/** The EDT's CPU twin (src/kernels/edt/edt.cpu.ts) against the brute-force float64 oracle. */
import { describe, expect, it } from 'vitest';
import { edtCpu } from '../../src/kernels/edt/edt.cpu';
import type { Vec3 } from '../../src/volume/geometry';
import { randomMask } from '../harness/shell-fixtures';
import { edtBrute } from '../oracles/distance-brute';

const ANISO: Vec3 = [0.35, 0.35, 0.8];

function expectEdtMatchesBrute(dims: Vec3, spacing: Vec3, mask: Uint8Array, signed = false): void {
  const got = edtCpu(dims, spacing, mask, { signed });
  const want = edtBrute(dims, spacing, mask, { signed });
  let worst = 0;
  for (let v = 0; v < got.length; v++) {
    const g = got[v] as number;
    const w = want[v] as number;
    if (!Number.isFinite(w)) {
      expect(g).toBe(w);
      continue;
    }
    worst = Math.max(worst, Math.abs(Math.sign(g) * Math.sqrt(Math.abs(g)) - Math.sign(w) * Math.sqrt(Math.abs(w))));
  }
  expect(worst).toBeLessThanOrEqual(1e-4);
}

describe('EDT (CPU reference) vs brute force', () => {
  it('random sparse masks, anisotropic spacing, odd dims', () => {
    for (const [seed, density] of [
      [1, 0.02],
      [2, 0.2],
      [3, 0.001],
    ] as const) {
      const dims: Vec3 = [13, 11, 9];
      expectEdtMatchesBrute(dims, ANISO, randomMask(13 * 11 * 9, density, seed));
    }
  });

  it('signed: −d² to the background inside the mask', () => {
    const dims: Vec3 = [12, 9, 7];
    expectEdtMatchesBrute(dims, [0.5, 0.7, 1.3], randomMask(12 * 9 * 7, 0.6, 4), true);
  });

  it('single voxel, masks touching every border, thin dims', () => {
    const dims: Vec3 = [9, 8, 7];
    const one = new Uint8Array(9 * 8 * 7);
    one[3 + 9 * (4 + 8 * 5)] = 1;
    expectEdtMatchesBrute(dims, ANISO, one);
    const border = new Uint8Array(9 * 8 * 7);
    border[0] = 1;
    border[border.length - 1] = 1;
    border[8 + 9 * 7 * 1] = 1;
    expectEdtMatchesBrute(dims, ANISO, border, true);
    expectEdtMatchesBrute([1, 1, 17], ANISO, randomMask(17, 0.2, 5));
    expectEdtMatchesBrute([23, 1, 1], ANISO, randomMask(23, 0.1, 6), true);
  });

  it('empty mask → +∞ everywhere; full mask signed → −∞ everywhere', () => {
    const dims: Vec3 = [5, 4, 3];
    expect(Array.from(edtCpu(dims, ANISO, new Uint8Array(60))).every((x) => x === Infinity)).toBe(true);
    expect(
      Array.from(edtCpu(dims, ANISO, new Uint8Array(60).fill(1), { signed: true })).every((x) => x === -Infinity),
    ).toBe(true);
    expect(Array.from(edtCpu(dims, ANISO, new Uint8Array(60).fill(1))).every((x) => x === 0)).toBe(true);
  });
});
