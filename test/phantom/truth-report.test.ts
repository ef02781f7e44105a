/** The truth's EAT, kVp conversion, flags, lesions and null handling on hand-made volumes. */
import { describe, expect, it } from 'vitest';
import { computeTruth } from '../../src/phantom/truth';
import type { Vec3 } from '../../src/volume/geometry';
import { ct, forEachVoxel, grid, mask, mean, npPercentile, sampleSd, set, straight } from './helpers';

const zVessel = (name: string, r = 1) => straight(name, [0, 0, -30], [0, 0, 30], r);

describe('truth: EAT', () => {
  const g = grid([30, 24, 20], [0.5, 0.7, 1.0]);
  const hu = (_p: Vec3, i: number, j: number, k: number): number => -230 + ((i * 11 + j * 5 + k * 17) % 260);
  const vol = ct(g, hu);
  const inside = (p: Vec3): boolean => p[0] * p[0] + p[1] * p[1] + p[2] * p[2] <= 36;
  const peri = mask(g, inside);

  const directEat = (k0: number, k1: number): number[] => {
    const out: number[] = [];
    forEachVoxel(g, (_i, _j, k, n, p) => {
      const v = vol.hu[n] as number;
      if (k >= k0 && k <= k1 && inside(p) && v >= -190 && v <= -30) out.push(v);
    });
    return out;
  };

  it('measures the fat inside the mask', () => {
    const e = computeTruth(vol, peri, null).eat!;
    const d = directEat(0, 19);
    expect(e.fatVoxels).toBe(d.length);
    expect(e.volumeMl).toBeCloseTo((d.length * 0.5 * 0.7 * 1.0) / 1000, 12);
    expect(e.meanHu).toBeCloseTo(mean(d)!, 10);
    expect(e.sdHu).toBeCloseTo(sampleSd(d)!, 10);
    expect(e.medianHu).toBe(npPercentile(d, 50));
    expect(e.p25Hu).toBeCloseTo(npPercentile(d, 25)!, 12);
    expect(e.p75Hu).toBeCloseTo(npPercentile(d, 75)!, 12);
    expect(e.minHu).toBe(Math.min(...d));
    expect(e.maxHu).toBe(Math.max(...d));
    expect(e.meanHu120).toBe(e.meanHu);
  });

  it('honours axial limits (slice range, inclusive) and a custom fat window', () => {
    const e = computeTruth(vol, peri, null, { eatSlices: [8, 11] }).eat!;
    expect(e.fatVoxels).toBe(directEat(8, 11).length);
    const w = computeTruth(vol, peri, null, { fatWindow: [-100, -50] }).eat!;
    expect(w.minHu).toBeGreaterThanOrEqual(-100);
    expect(w.maxHu).toBeLessThanOrEqual(-50);
  });

  it('resamples a mask on another grid nearest-neighbour', () => {
    const coarse = grid([15, 12, 10], [1.0, 1.4, 2.0]);
    const e = computeTruth(vol, mask(coarse, inside), null).eat!;
    expect(e.fatVoxels).toBeGreaterThan(0);
    expect(Math.abs(e.fatVoxels - directEat(0, 19).length)).toBeLessThan(0.3 * e.fatVoxels);
  });

  it('is null without a mask; an empty mask gives zero volume and null statistics', () => {
    expect(computeTruth(vol, null, null).eat).toBeNull();
    const e = computeTruth(
      vol,
      mask(g, () => false),
      null,
    ).eat!;
    expect(e).toEqual({
      volumeMl: 0,
      meanHu: null,
      sdHu: null,
      medianHu: null,
      p25Hu: null,
      p75Hu: null,
      minHu: null,
      maxHu: null,
      fatVoxels: 0,
      meanHu120: null,
    });
  });

  it('SD is null for a single voxel', () => {
    const one = mask(g, (_p, i, j, k) => i === 3 && j === 3 && k === 3);
    const single = ct(g, () => -80);
    const e = computeTruth(single, one, null).eat!;
    expect(e).toMatchObject({ fatVoxels: 1, meanHu: -80, sdHu: null, medianHu: -80, p25Hu: -80, minHu: -80 });
  });
});

describe('truth: kVp, flags, lesions', () => {
  const g = grid([25, 25, 21], [0.5, 0.5, 0.5]);
  const uniform = (hu: number, kvp: number | null = 120) => ct(g, () => hu, kvp);
  const vs = set([zVessel('LAD')], [{ vessel: 'LAD', startMm: 28, endMm: 32 }]);
  const flagIds = (fs: { id: string }[]) => fs.map((f) => f.id).sort();

  it('converts to 120 kVp with f(kVp) and flags on the converted value', () => {
    const r = computeTruth(
      uniform(-86, 80),
      mask(g, () => true),
      vs,
    );
    const v = r.vessels[0]!;
    expect(v.faiHu).toBe(-86);
    expect(v.faiHu120).toBeCloseTo(-86 / 1.267, 12);
    expect(r.eat!.meanHu120).toBeCloseTo(-86 / 1.267, 12);
    expect(flagIds(v.flags)).toEqual([
      'high-fai-cardiac-mortality',
      'minoca-takotsubo-like',
      'plaque-progression-risk',
    ]);
    for (const f of v.flags) expect(f.value).toBeCloseTo(-86 / 1.267, 12);
    expect(r.input.kvp).toBe(80);
    expect(r.lesions[0]!.faiHu120).toBeCloseTo(-86 / 1.267, 12);
    expect(flagIds(r.lesions[0]!.flags)).toEqual(['culprit-lesion-like']);
  });

  it('100 and 140 kVp factors; a user table; unknown kVp → raw values only, with a warning', () => {
    expect(computeTruth(uniform(-90, 100), null, vs).vessels[0]!.faiHu120).toBeCloseTo(-90 / 1.08, 12);
    expect(computeTruth(uniform(-90, 140), null, vs).vessels[0]!.faiHu120).toBeCloseTo(-90 / 0.947, 12);
    const custom = computeTruth(uniform(-90, 90), null, vs, { kvpFactors: { 90: 1.2 } });
    expect(custom.vessels[0]!.faiHu120).toBeCloseTo(-75, 12);
    for (const kvp of [90, null]) {
      const r = computeTruth(
        uniform(-70, kvp),
        mask(g, () => true),
        vs,
      );
      expect(r.vessels[0]!.faiHu120).toBeNull();
      expect(r.eat!.meanHu120).toBeNull();
      expect(r.warnings.some((w) => w.includes('kVp'))).toBe(true);
      // flags fall back to the raw value
      expect(r.vessels[0]!.flags.map((f) => f.value)).toEqual([-70, -70, -70]);
    }
    expect(computeTruth(uniform(-70, 120), null, vs, { kvp: 100 }).vessels[0]!.faiHu120).toBeCloseTo(-70 / 1.08, 12);
  });

  it('vessel flags at their thresholds (≥)', () => {
    const ids = (hu: number) => flagIds(computeTruth(uniform(hu), null, vs).vessels[0]!.flags);
    expect(ids(-76)).toEqual([]);
    expect(ids(-75)).toEqual(['plaque-progression-risk']);
    expect(ids(-71)).toEqual(['plaque-progression-risk']);
    expect(ids(-70)).toEqual(['high-fai-cardiac-mortality', 'minoca-takotsubo-like', 'plaque-progression-risk']);
    const f = computeTruth(uniform(-70), null, vs).vessels[0]!.flags.find((x) => x.id === 'high-fai-cardiac-mortality');
    expect(f).toEqual({
      id: 'high-fai-cardiac-mortality',
      threshold: -70.1,
      value: -70,
      source: 'Oikonomou 2018 (CRISP-CT)',
    });
    const m = computeTruth(uniform(-70), null, vs).vessels[0]!.flags.find((x) => x.id === 'minoca-takotsubo-like');
    expect(m).toMatchObject({ threshold: -70.83, source: 'Gaibazzi 2019' });
  });

  it('lesion: the VOI rule restricted to its arc-length interval, culprit flag at ≥ −68.2', () => {
    const r = computeTruth(uniform(-68), null, vs);
    const l = r.lesions[0]!;
    let voi = 0;
    forEachVoxel(g, (_i, _j, _k, _n, p) => {
      const w = Math.sqrt(p[0] * p[0] + p[1] * p[1]) - 1;
      const s = p[2] + 30;
      if (w > 0 && w <= 2 && s >= 28 && s <= 32) voi++;
    });
    expect(l).toMatchObject({ vessel: 'LAD', startMm: 28, endMm: 32, faiHu: -68, fatVoxels: voi, voiVoxels: voi });
    expect(l.flags).toEqual([{ id: 'culprit-lesion-like', threshold: -68.2, value: -68, source: 'Goeller 2018' }]);
    expect(computeTruth(uniform(-69), null, vs).lesions[0]!.flags).toEqual([]);
  });

  it('lesion on an unknown vessel, or outside the volume: nulls', () => {
    const r = computeTruth(
      uniform(-80),
      null,
      set(
        [zVessel('LAD')],
        [
          { vessel: 'XYZ', startMm: 0, endMm: 10 },
          { vessel: 'LAD', startMm: 50, endMm: 60 },
        ],
      ),
    );
    for (const l of r.lesions)
      expect(l).toMatchObject({ faiHu: null, faiHu120: null, fatVoxels: 0, voiVoxels: 0, flags: [] });
    expect(r.warnings.some((w) => w.includes('XYZ'))).toBe(true);
  });

  it('a vessel far outside the volume: empty regions, nulls, no flags', () => {
    const r = computeTruth(uniform(-60), null, set([straight('RCA', [1000, 0, 0], [1000, 0, 60], 2)]));
    const v = r.vessels[0]!;
    expect(v).toMatchObject({
      faiHu: null,
      voiVoxels: 0,
      fatFraction: null,
      vpci: null,
      nearHu: null,
      remoteHu: null,
      flags: [],
    });
  });

  it('report envelope', () => {
    const r = computeTruth(uniform(-80), null, null);
    expect(r).toMatchObject({
      schema: 'perifat-report/1',
      input: { ct: 'test', dims: [25, 25, 21], spacingMm: [0.5, 0.5, 0.5], kvp: 120 },
      backend: { api: 'cpu', runtime: 'node', adapter: null },
      eat: null,
      vessels: [],
      lesions: [],
      timingsMs: {},
    });
    expect(r.warnings).toContain('phantom truth');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
