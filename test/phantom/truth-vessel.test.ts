/**
 * The truth on hand-made cases whose answers follow directly from the geometry: straight vessels
 * along z (so d is the distance to the axis, s = z − z0), counted here voxel by voxel.
 */
import { describe, expect, it } from 'vitest';
import { computeTruth } from '../../src/phantom/truth';
import type { Vec3 } from '../../src/volume/geometry';
import { ct, forEachVoxel, grid, mean, npPercentile, sampleSd, set, straight, type Grid } from './helpers';

/** A vessel along z through (x0, y0), long enough to cross the whole volume: s = z + 30. */
const zVessel = (name: string, x0: number, y0: number, r: number) => straight(name, [x0, y0, -30], [x0, y0, 30], r);
const rhoOf = (p: Vec3, x0: number, y0: number): number => Math.sqrt((p[0] - x0) ** 2 + (p[1] - y0) ** 2);
const isFat = (hu: number): boolean => hu >= -190 && hu <= -30;

interface Region {
  voi: number[];
  rings: number[][];
  near: number[];
  remote: number[];
  voiVoxels: number;
}

/** Direct evaluation for one vessel along z at (x0,y0), radius r, segment [s0,s1]; `skip` excludes voxels. */
function direct(
  g: Grid,
  hu: Int16Array,
  x0: number,
  y0: number,
  r: number,
  seg: [number, number],
  skip: (p: Vec3, w: number) => boolean = () => false,
): Region {
  const out: Region = { voi: [], rings: Array.from({ length: 20 }, () => []), near: [], remote: [], voiVoxels: 0 };
  forEachVoxel(g, (_i, _j, _k, n, p) => {
    const w = rhoOf(p, x0, y0) - r;
    const s = p[2] + 30;
    if (w <= 0 || s < seg[0] || s > seg[1] || skip(p, w)) return;
    const v = hu[n] as number;
    if (w <= 2 * r) {
      out.voiVoxels++;
      if (isFat(v)) out.voi.push(v);
    }
    if (!isFat(v)) return;
    for (let k = 0; k < 20; k++) if (w > k && w <= k + 1) (out.rings[k] as number[]).push(v);
    if (w <= 5) out.near.push(v);
    if (w > 10 && w <= 20) out.remote.push(v);
  });
  return out;
}

// ±22 mm in x and y (rings reach 20 mm from a 1 mm vessel), ±10 mm in z; anisotropic voxels.
const G = grid([45, 56, 41], [1.0, 0.8, 0.5]);
// HU pattern with fat and non-fat voxels, the lumen too (so lumen exclusion matters).
const pattern = (_p: Vec3, i: number, j: number, k: number): number => -205 + ((i * 7 + j * 13 + k * 29) % 190);

describe('truth: one straight vessel', () => {
  const vol = ct(G, pattern);
  const vs = set([zVessel('X', 0, 0, 1)]);
  const seg: [number, number] = [25, 35];
  const report = computeTruth(vol, null, vs, { segments: { X: seg } });
  const v = report.vessels[0]!;
  const d = direct(G, vol.hu as Int16Array, 0, 0, 1, seg);

  it('counts the VOI voxels 0 < ρ − r ≤ 2r with s in the segment', () => {
    expect(d.voiVoxels).toBeGreaterThan(100);
    expect(v.voiVoxels).toBe(d.voiVoxels);
    expect(v.fatVoxels).toBe(d.voi.length);
    expect(v.fatFraction).toBeCloseTo(d.voi.length / d.voiVoxels, 12);
    expect(v.fatFraction).toBeLessThan(1);
    expect(v.fatVolumeMl).toBeCloseTo((d.voi.length * 1.0 * 0.8 * 0.5) / 1000, 12);
    expect(v.segmentMm).toEqual(seg);
  });

  it('reports FAI, sample SD and numpy-linear percentiles of the VOI fat', () => {
    expect(v.faiHu).toBeCloseTo(mean(d.voi)!, 10);
    expect(v.sdHu).toBeCloseTo(sampleSd(d.voi)!, 10);
    expect(v.medianHu).toBeCloseTo(npPercentile(d.voi, 50)!, 10);
    expect(v.p25Hu).toBeCloseTo(npPercentile(d.voi, 25)!, 10);
    expect(v.p75Hu).toBeCloseTo(npPercentile(d.voi, 75)!, 10);
  });

  it('puts each fat voxel in ring k when k < w ≤ k+1', () => {
    expect(v.rings).toHaveLength(20);
    v.rings.forEach((ring, k) => {
      expect([ring.innerMm, ring.outerMm]).toEqual([k, k + 1]);
      expect(ring.fatVoxels).toBe(d.rings[k]!.length);
      if (d.rings[k]!.length === 0) expect(ring.meanHu).toBeNull();
      else expect(ring.meanHu).toBeCloseTo(mean(d.rings[k]!)!, 10);
    });
    expect(d.rings[19]!.length).toBeGreaterThan(0);
  });

  it('reports near/remote fat and VPCI against the outermost ring', () => {
    expect(v.nearHu).toBeCloseTo(mean(d.near)!, 10);
    expect(v.remoteHu).toBeCloseTo(mean(d.remote)!, 10);
    const fai = mean(d.voi)!;
    const outer = mean(d.rings[19]!)!;
    expect(v.vpci).toBeCloseTo((100 * (fai - outer)) / Math.abs(fai), 10);
  });

  it('excludes the lumen even when it holds fat HU', () => {
    const allFat = ct(G, () => -100);
    const r = computeTruth(allFat, null, vs, { segments: { X: seg } }).vessels[0]!;
    const dd = direct(G, allFat.hu as Int16Array, 0, 0, 1, seg);
    expect(r.rings[0]!.fatVoxels).toBe(dd.rings[0]!.length);
    expect(r.voiVoxels).toBe(dd.voiVoxels);
    expect(r.fatFraction).toBe(1);
  });

  it('drops 0 < w ≤ g from every region with a wall gap', () => {
    const g = 0.5;
    const r = computeTruth(vol, null, vs, { segments: { X: seg }, wallGapMm: g }).vessels[0]!;
    const dd = direct(G, vol.hu as Int16Array, 0, 0, 1, seg, (_p, w) => w <= g);
    expect(dd.voiVoxels).toBeLessThan(d.voiVoxels);
    expect(r.voiVoxels).toBe(dd.voiVoxels);
    expect(r.fatVoxels).toBe(dd.voi.length);
    expect(r.rings[0]!.fatVoxels).toBe(dd.rings[0]!.length);
    expect(r.rings[1]!.fatVoxels).toBe(d.rings[1]!.length);
    expect(r.nearHu).toBeCloseTo(mean(dd.near)!, 10);
  });

  it('uses the whole vessel as segment for an unknown name', () => {
    const r = computeTruth(vol, null, vs).vessels[0]!;
    expect(r.segmentMm).toEqual([0, 60]);
    expect(r.voiVoxels).toBe(direct(G, vol.hu as Int16Array, 0, 0, 1, [0, 60]).voiVoxels);
  });
});

describe('truth: calcium guard', () => {
  const g = grid([33, 33, 21], [0.5, 0.5, 0.5]);
  const calc: Vec3 = [2.5, 0, 0];
  const withCalcium = (on: boolean) =>
    ct(g, (p) => {
      if (rhoOf(p, 0, 0) <= 1) return 400; // contrast lumen: ≥ 130 but inside a lumen, so never "calcium"
      if (on && p[0] === calc[0] && p[1] === calc[1] && p[2] === calc[2]) return 700;
      return -100;
    });
  const vs = set([zVessel('X', 0, 0, 1)]);
  const seg: [number, number] = [0, 60];

  it('ignores bright voxels inside the lumen', () => {
    const vol = withCalcium(false);
    const a = computeTruth(vol, null, vs, { calciumGuardMm: 1 });
    const b = computeTruth(vol, null, vs);
    expect(a.vessels).toEqual(b.vessels);
  });

  it('excludes voxels within ≤ c mm of a calcium voxel outside the lumen', () => {
    const vol = withCalcium(true);
    const c = 1;
    const r = computeTruth(vol, null, vs, { calciumGuardMm: c }).vessels[0]!;
    const far = (p: Vec3): boolean => Math.hypot(p[0] - calc[0], p[1] - calc[1], p[2] - calc[2]) <= c;
    const dd = direct(g, vol.hu as Int16Array, 0, 0, 1, seg, far);
    const none = direct(g, vol.hu as Int16Array, 0, 0, 1, seg);
    expect(none.voiVoxels - dd.voiVoxels).toBeGreaterThan(10);
    expect(r.voiVoxels).toBe(dd.voiVoxels);
    expect(r.fatVoxels).toBe(dd.voi.length);
    r.rings.forEach((ring, k) => expect(ring.fatVoxels).toBe(dd.rings[k]!.length));
    // without the guard the calcium voxel is in the VOI but is not fat
    const off = computeTruth(vol, null, vs).vessels[0]!;
    expect(off.voiVoxels).toBe(none.voiVoxels);
    expect(off.fatVoxels).toBe(none.voiVoxels - 1);
  });
});

describe('truth: ownership between two vessels', () => {
  const g = grid([33, 25, 21], [0.5, 0.5, 0.5]);
  const allFat = ct(g, () => -100);

  function owners(xa: number, ra: number, xb: number, rb: number): { voiA: number; voiB: number; ringA: number[] } {
    let voiA = 0;
    let voiB = 0;
    const ringA = new Array<number>(20).fill(0);
    forEachVoxel(g, (_i, _j, _k, _n, p) => {
      const wa = rhoOf(p, xa, 0) - ra;
      const wb = rhoOf(p, xb, 0) - rb;
      if (wa <= 0 || wb <= 0) return; // inside a lumen: nobody's
      // An exact tie (wa = wb) counts for both vessels (METHOD.md §4).
      if (wa <= wb) {
        if (wa <= 2 * ra) voiA++;
        const k = Math.ceil(wa) - 1;
        if (k < 20) ringA[k]!++;
      }
      if (wb <= wa && wb <= 2 * rb) voiB++;
    });
    return { voiA, voiB, ringA };
  }

  /** VOI voxels on the tie plane wa = wb (counted for both). */
  function tiedVoi(xa: number, ra: number, xb: number, rb: number): number {
    let n = 0;
    forEachVoxel(g, (_i, _j, _k, _n, p) => {
      const wa = rhoOf(p, xa, 0) - ra;
      const wb = rhoOf(p, xb, 0) - rb;
      if (wa > 0 && wa === wb && wa <= 2 * ra) n++;
    });
    return n;
  }

  it('gives each voxel to the nearest wall, an exact tie to both vessels', () => {
    const r = computeTruth(allFat, null, set([zVessel('A', -3, 0, 1), zVessel('B', 3, 0, 1)]));
    const d = owners(-3, 1, 3, 1);
    expect(r.vessels[0]!.voiVoxels).toBe(d.voiA);
    expect(r.vessels[1]!.voiVoxels).toBe(d.voiB);
    // the tie plane x = 0 holds VOI voxels (w = 2 at y = 0), which count for A and B both: the
    // mirror-symmetric pair gets equal VOIs, whichever is listed first
    expect(tiedVoi(-3, 1, 3, 1)).toBeGreaterThan(0);
    expect(d.voiA).toBe(d.voiB);
    const swapped = computeTruth(allFat, null, set([zVessel('B', 3, 0, 1), zVessel('A', -3, 0, 1)]));
    expect(swapped.vessels[1]!.voiVoxels).toBe(d.voiA);
    expect(swapped.vessels[0]!.voiVoxels).toBe(d.voiB);
    r.vessels[0]!.rings.forEach((ring, k) => expect(ring.fatVoxels).toBe(d.ringA[k]));
    swapped.vessels[1]!.rings.forEach((ring, k) => expect(ring.fatVoxels).toBe(d.ringA[k]));
  });

  it('follows the wall, not the axis, with different radii, and skips the other lumen', () => {
    const r = computeTruth(allFat, null, set([zVessel('A', -2, 0, 1), zVessel('B', 1.5, 0, 1.25)]));
    const d = owners(-2, 1, 1.5, 1.25);
    expect(r.vessels[0]!.voiVoxels).toBe(d.voiA);
    expect(r.vessels[1]!.voiVoxels).toBe(d.voiB);
    r.vessels[0]!.rings.forEach((ring, k) => expect(ring.fatVoxels).toBe(d.ringA[k]));
  });
});

describe('truth: vessel shorter than its segment', () => {
  const g = grid([33, 33, 41], [0.5, 0.5, 0.5]);
  const allFat = ct(g, () => -100);
  // 10 mm long along z from z = −5: beyond its ends the nearest point is an end point (s = 0 or 10).
  const count = (seg: [number, number]): number => {
    let n = 0;
    forEachVoxel(g, (_i, _j, _k, _n, p) => {
      const zc = Math.min(5, Math.max(-5, p[2]));
      const w = Math.sqrt(p[0] * p[0] + p[1] * p[1] + (p[2] - zc) * (p[2] - zc)) - 1;
      const s = zc + 5;
      if (w > 0 && w <= 2 && s >= seg[0] && s <= seg[1]) n++;
    });
    return n;
  };

  it('LAD (0–40 mm) of 10 mm: the whole vessel with its end caps', () => {
    const r = computeTruth(allFat, null, set([straight('LAD', [0, 0, -5], [0, 0, 5], 1)])).vessels[0]!;
    expect(r.segmentMm).toEqual([0, 40]);
    expect(r.voiVoxels).toBe(count([0, 40]));
    expect(r.faiHu).toBe(-100);
  });

  it('RCA (10–50 mm) of 10 mm: only the voxels whose nearest point is the end (s = 10)', () => {
    const r = computeTruth(allFat, null, set([straight('RCA', [0, 0, -5], [0, 0, 5], 1)])).vessels[0]!;
    expect(r.segmentMm).toEqual([10, 50]);
    const n = count([10, 50]);
    expect(n).toBeGreaterThan(0);
    expect(r.voiVoxels).toBe(n);
  });

  it('a segment beyond the vessel: empty VOI, every statistic null', () => {
    const r = computeTruth(allFat, null, set([straight('LCx', [0, 0, -5], [0, 0, 5], 1)]), {
      segments: { LCx: [20, 40] },
    }).vessels[0]!;
    expect(r).toMatchObject({
      voiVoxels: 0,
      fatVoxels: 0,
      faiHu: null,
      faiHu120: null,
      sdHu: null,
      medianHu: null,
      p25Hu: null,
      p75Hu: null,
      fatFraction: null,
      fatVolumeMl: 0,
      vpci: null,
      nearHu: null,
      remoteHu: null,
      flags: [],
    });
    r.rings.forEach((ring) => expect(ring).toMatchObject({ meanHu: null, fatVoxels: 0 }));
  });
});
