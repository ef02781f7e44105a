/** Histogram statistics against sorting and direct arithmetic. */
import { describe, expect, it } from 'vitest';
import { percentileFromHistogram, summarizeHistogram } from '../../src/stats/label-stats';
import { rng } from '../helpers/random';

function sortedPercentile(sorted: number[], p: number): number {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (rank - lo) * (sorted[hi]! - sorted[lo]!);
}

describe('summarizeHistogram', () => {
  it('matches sorting for median, quartiles, min, max, mean and sample SD', () => {
    const r = rng(11);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const values = Array.from({ length: n }, () => -190 + Math.floor(r() * 161));
      const row = new Uint32Array(161);
      for (const v of values) row[v + 190]!++;
      const s = summarizeHistogram(row, -190, n);
      const sorted = [...values].sort((a, b) => a - b);
      const mean = values.reduce((a, b) => a + b, 0) / n;
      expect(s.fatVoxels).toBe(n);
      expect(s.meanHu).toBeCloseTo(mean, 10);
      expect(s.medianHu).toBeCloseTo(sortedPercentile(sorted, 0.5), 10);
      expect(s.p25Hu).toBeCloseTo(sortedPercentile(sorted, 0.25), 10);
      expect(s.p75Hu).toBeCloseTo(sortedPercentile(sorted, 0.75), 10);
      expect(s.minHu).toBe(sorted[0]);
      expect(s.maxHu).toBe(sorted[n - 1]);
      if (n > 1) {
        const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
        expect(s.sdHu).toBeCloseTo(sd, 9);
      } else {
        expect(s.sdHu).toBeNull();
      }
    }
  });
  it('gives null, never 0 or NaN, over zero voxels', () => {
    const s = summarizeHistogram(new Uint32Array(161), -190, 0);
    expect([s.meanHu, s.sdHu, s.medianHu, s.p25Hu, s.p75Hu, s.minHu, s.maxHu]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(percentileFromHistogram(new Uint32Array(3), 0, 0, 0.5)).toBeNull();
  });
});
