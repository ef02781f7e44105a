/** The feature transform's CPU twin against the brute-force float64 oracle. */
import { describe, expect, it } from 'vitest';
import {
  dist2F32,
  featureInitFromMask,
  featureTransformCpu,
} from '../../src/kernels/feature-transform/feature-transform.cpu';
import type { Vec3 } from '../../src/volume/geometry';
import { randomMask } from '../harness/shell-fixtures';
import { nearestSiteBrute } from '../oracles/distance-brute';

const ANISO: Vec3 = [0.35, 0.35, 0.8];

describe('feature transform (CPU reference)', () => {
  it('every voxel points at a site at the brute-force nearest distance', () => {
    const dims: Vec3 = [15, 12, 10];
    const mask = randomMask(15 * 12 * 10, 0.01, 7);
    const ft = featureTransformCpu(dims, ANISO, featureInitFromMask(mask));
    const brute = nearestSiteBrute(dims, ANISO, (v) => mask[v] === 1);
    const sp = ANISO.map(Math.fround) as Vec3;
    for (let v = 0; v < ft.length; v++) {
      const s = ft[v] as number;
      expect(mask[s]).toBe(1);
      expect(Math.abs(Math.sqrt(dist2F32(dims, sp, v, s)) - Math.sqrt(brute[v] as number))).toBeLessThanOrEqual(1e-4);
    }
  });
});
