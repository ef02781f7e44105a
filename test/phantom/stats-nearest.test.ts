/** The truth's building blocks: percentiles/SD, and the indexed nearest-point search against brute force. */
import { describe, expect, it } from 'vitest';
import { CenterlineIndex, makeNearestOut, nearestBrute } from '../../src/phantom/nearest';
import { percentileSorted, summarize, ValueList } from '../../src/phantom/stats';
import { Rng } from '../../src/phantom/rng';
import type { Vec3 } from '../../src/volume/geometry';
import type { Vessel } from '../../src/volume/vessels';
import { npPercentile, sampleSd } from './helpers';

describe('statistics', () => {
  it('percentiles interpolate linearly between order statistics (numpy default)', () => {
    const v = [7, 1, 3, 10];
    const s = Float64Array.from(v).sort();
    // rank = p·(n−1): p25 → 0.75 → 1 + 0.75·(3 − 1) = 2.5; median → 1.5 → 5; p75 → 2.25 → 7 + 0.25·3
    expect(percentileSorted(s, 0.25)).toBe(2.5);
    expect(percentileSorted(s, 0.5)).toBe(5);
    expect(percentileSorted(s, 0.75)).toBe(7.75);
    expect(percentileSorted(new Float64Array(0), 0.5)).toBeNull();
  });

  it('matches a sorted-array computation on random integers', () => {
    const rng = new Rng(7);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const list = new ValueList();
      const raw: number[] = [];
      for (let i = 0; i < n; i++) {
        const x = Math.round(-190 + 160 * rng.next());
        list.push(x);
        raw.push(x);
      }
      const s = summarize(list);
      expect(s.n).toBe(n);
      expect(s.median).toBeCloseTo(npPercentile(raw, 50)!, 9);
      expect(s.p25).toBeCloseTo(npPercentile(raw, 25)!, 9);
      expect(s.p75).toBeCloseTo(npPercentile(raw, 75)!, 9);
      if (n < 2) expect(s.sd).toBeNull();
      else expect(s.sd).toBeCloseTo(sampleSd(raw)!, 9);
      expect(s.min).toBe(Math.min(...raw));
      expect(s.max).toBe(Math.max(...raw));
    }
  });
});

describe('nearest point on a centerline', () => {
  // A helix with tapering radius: curved, so many segments compete.
  const helix: Vessel = (() => {
    const points: Vec3[] = [];
    const radii: number[] = [];
    for (let q = 0; q <= 300; q++) {
      const t = q / 300;
      points.push([10 * Math.cos(6 * t), 10 * Math.sin(6 * t), 30 * t]);
      radii.push(2 - t);
    }
    return { name: 'H', points, radii };
  })();

  it('the cell index returns exactly the brute-force answer within the cutoff', () => {
    const cutoff = 12;
    const index = new CenterlineIndex([helix], [cutoff], 2);
    const out = makeNearestOut(1);
    const rng = new Rng(3);
    let inside = 0;
    for (let n = 0; n < 20000; n++) {
      const p: Vec3 = [-25 + 50 * rng.next(), -25 + 50 * rng.next(), -15 + 60 * rng.next()];
      index.query(p[0], p[1], p[2], out);
      const b = nearestBrute(helix, p[0], p[1], p[2]);
      if (b.d > cutoff) {
        expect(out.w[0]).toBe(Infinity);
        continue;
      }
      inside++;
      expect([out.d[0], out.s[0], out.r[0], out.w[0]]).toEqual([b.d, b.s, b.r, b.w]);
    }
    expect(inside).toBeGreaterThan(5000);
  });

  it('on ties takes the smaller arc length', () => {
    // A hairpin: out along y = −1, back along y = +1. Points on y = 0 are 1 mm from both legs.
    const hairpin: Vessel = {
      name: 'U',
      points: [
        [0, -1, 0],
        [10, -1, 0],
        [10, 1, 0],
        [0, 1, 0],
      ],
      radii: [1, 1, 1, 1],
    };
    const b = nearestBrute(hairpin, 5, 0, 0);
    expect(b.d).toBe(1);
    expect(b.s).toBe(5);
    const index = new CenterlineIndex([hairpin], [30], 1);
    const out = makeNearestOut(1);
    index.query(5, 0, 0, out);
    expect(out.s[0]).toBe(5);
  });

  it('interpolates the radius along the segment', () => {
    const v: Vessel = {
      name: 'V',
      points: [
        [0, 0, 0],
        [0, 0, 4],
      ],
      radii: [2, 1],
    };
    const b = nearestBrute(v, 3, 0, 1);
    expect(b).toEqual({ d: 3, s: 1, r: 1.75, w: 1.25 });
  });
});
