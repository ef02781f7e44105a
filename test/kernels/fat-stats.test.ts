/** The fat-statistics CPU twin against an independent direct loop (test/oracles/fat-sums.ts). */
import { describe, expect, it } from 'vitest';
import { fatStatsCpu } from '../../src/kernels/fat-stats/fat-stats.cpu';
import { DEFAULT_FAT_WINDOW } from '../../src/stats/fat-window';
import { summarizeLabel } from '../../src/stats/label-stats';
import { randomHu, randomLabels } from '../helpers/random';
import { directFatSums } from '../oracles/fat-sums';

describe('fatStatsCpu', () => {
  it('gives through its histogram the sums of an independent direct loop', () => {
    const n = 5000;
    const hu = randomHu(n, 21);
    const labels = randomLabels(n, 9, 22);
    const res = fatStatsCpu(hu, labels, 9, DEFAULT_FAT_WINDOW);
    const direct = directFatSums(hu, labels, 9, DEFAULT_FAT_WINDOW);
    for (let l = 1; l <= 9; l++) {
      const s = summarizeLabel(res, l);
      expect(s.fatVoxels).toBe(direct.fatVoxels[l]);
      expect(s.sumHu).toBe(direct.sumHu[l]);
      expect(s.sumSqHu).toBe(direct.sumSqHu[l]);
      expect(s.voxels).toBe(labels.filter((x) => x === l).length);
    }
  });
  it('ignores label 0 and labels above maxLabel', () => {
    const res = fatStatsCpu(Int16Array.from([-100, -100, -100]), Uint8Array.from([0, 1, 3]), 2, DEFAULT_FAT_WINDOW);
    expect(Array.from(res.voxels)).toEqual([0, 1, 0]);
  });
});
