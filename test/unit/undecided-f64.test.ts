/** The float64 settling of undecided voxels against METHOD §4 worked by hand on a straight vessel. */
import { describe, expect, it } from 'vitest';
import { settleUndecided } from '../../src/cpu/undecided-f64';
import { DEFAULT_FAT_WINDOW } from '../../src/stats/fat-window';
import { IDENTITY3, type Vec3 } from '../../src/volume/geometry';

// A line along +z through x = y = 0, radius 1 mm, arc length = z; voxels 0.5 mm, origin at (−5, −5, 0).
const vessel = {
  name: 'LAD',
  index: 0,
  points: [
    [0, 0, 0],
    [0, 0, 30],
  ] as Vec3[],
  radii: [1, 1],
  arcMm: Float64Array.from([0, 30]),
  segmentMm: [0, 20] as const,
};
const grid = {
  dims: [21, 21, 61] as Vec3,
  spacing: [0.5, 0.5, 0.5] as Vec3,
  origin: [-5, -5, 0] as Vec3,
  direction: IDENTITY3,
};
const ct = { ...grid, hu: new Int16Array(21 * 21 * 61).fill(-100) };
const opts = { window: DEFAULT_FAT_WINDOW, wallGapMm: 0, calciumGuardMm: null, calciumHu: 130 };
const at = (i: number, j: number, k: number) => i + 21 * (j + 21 * k);

describe('settleUndecided', () => {
  const settle = (idx: number, lesions = [] as { vesselIndex: number; startMm: number; endMm: number }[]) =>
    settleUndecided(ct, [0, 0, 0], grid.dims, [idx], [vessel], lesions, opts)[0];

  it('puts a voxel 3 mm from the axis (w = 2 = 2r) in the VOI and ring 1 (1 < w ≤ 2)', () => {
    // (i, j) = (16, 10) → x = 3, y = 0; k = 20 → s = 10.
    expect(settle(at(16, 10, 20))).toMatchObject({ voi: 1, ring: 2, lesions: [] });
  });
  it('excludes the lumen (w ≤ 0) and voxels outside the segment', () => {
    expect(settle(at(10, 10, 20))).toMatchObject({ voi: 0, ring: 0 });
    expect(settle(at(16, 10, 50))).toMatchObject({ voi: 0, ring: 0 }); // s = 25 > 20
  });
  it('assigns lesions on the VOI rule within their interval, ends inclusive', () => {
    expect(settle(at(14, 10, 20), [{ vesselIndex: 0, startMm: 10, endMm: 12 }])?.lesions).toEqual([0]);
    expect(settle(at(14, 10, 26), [{ vesselIndex: 0, startMm: 10, endMm: 12 }])?.lesions).toEqual([]);
  });
});
