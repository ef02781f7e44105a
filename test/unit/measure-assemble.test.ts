/** Report assembly from histograms: rings, near/remote unions, VPCI, kV conversion, flags, options. */
import { describe, expect, it } from 'vitest';
import { measureOptionsFrom, parseLesionSpecs, parseSegments } from '../../src/cli/args';
import { PerifatError } from '../../src/errors';
import { eatReport, lesionReports, vesselReports } from '../../src/measure/assemble';
import { evaluateFlags } from '../../src/measure/flags';
import { kvpFactor, to120 } from '../../src/measure/kvp';
import { DEFAULT_FLAGS, segmentFor, withDefaults } from '../../src/measure/options';
import { RING_COUNT, type PericoronaryHistograms, type PreparedVessel } from '../../src/measure/pericoronary-types';
import { DEFAULT_FAT_WINDOW } from '../../src/stats/fat-window';
import type { LabelHistograms } from '../../src/stats/label-stats';
import { IDENTITY3, type Geometry } from '../../src/volume/geometry';

const BINS = 161;
const grid: Geometry = { dims: [10, 10, 10], spacing: [0.5, 0.5, 1], origin: [0, 0, 0], direction: IDENTITY3 };

/** Histograms where label l holds `counts[l]` voxels at HU `values[l]`. */
function hist(maxLabel: number, fill: (label: number) => [number, number][]): LabelHistograms {
  const histogram = new Uint32Array((maxLabel + 1) * BINS);
  const voxels = new Float64Array(maxLabel + 1);
  for (let l = 1; l <= maxLabel; l++) {
    for (const [hu, n] of fill(l)) {
      histogram[l * BINS + hu + 190]! += n;
      voxels[l]! += n;
    }
  }
  return { window: DEFAULT_FAT_WINDOW, maxLabel, voxels, histogram };
}

const vessel: PreparedVessel = {
  name: 'LAD',
  index: 0,
  points: [
    [0, 0, 0],
    [0, 0, 40],
  ],
  radii: [2, 2],
  arcMm: Float64Array.from([0, 40]),
  segmentMm: [0, 40],
};

describe('vessel report from histograms', () => {
  // Ring k holds 10 fat voxels at −60 − k HU (denser near the wall); the VOI 30 voxels at −65.
  const h: PericoronaryHistograms = {
    voi: hist(1, () => [[-65, 30]]),
    rings: hist(RING_COUNT, (l) => [[-60 - (l - 1), 10]]),
    lesions: hist(1, () => [[-60, 4]]),
    crop: { lo: [0, 0, 0], hi: [10, 10, 10] },
    timingsMs: {},
    diagnostics: { method: 'float64', cropVoxels: 1000, parts: 1, candidates: 0, evaluations: 0 },
  };
  const o = withDefaults({});
  const [r] = vesselReports(h, [vessel], grid, 1.08, o);

  it('reports FAI, counts, fraction and volume', () => {
    expect(r?.faiHu).toBe(-65);
    expect(r?.fatVoxels).toBe(30);
    expect(r?.voiVoxels).toBe(30);
    expect(r?.fatFraction).toBe(1);
    expect(r?.fatVolumeMl).toBeCloseTo(30 * 0.25e-3, 12);
  });
  it('lists 20 rings of 1 mm with their means', () => {
    expect(r?.rings).toHaveLength(20);
    expect(r?.rings[0]).toEqual({ innerMm: 0, outerMm: 1, meanHu: -60, fatVoxels: 10 });
    expect(r?.rings[19]).toEqual({ innerMm: 19, outerMm: 20, meanHu: -79, fatVoxels: 10 });
  });
  it('derives near (rings 0–4) and remote (rings 10–19) fat and VPCI against ring 20', () => {
    expect(r?.nearHu).toBeCloseTo(-62, 12);
    expect(r?.remoteHu).toBeCloseTo(-74.5, 12);
    expect(r?.vpci).toBeCloseTo((100 * (-65 - -79)) / 65, 12);
  });
  it('converts to 120 kVp and flags on the converted value', () => {
    expect(r?.faiHu120).toBeCloseTo(-65 / 1.08, 12);
    expect(r?.flags.map((f) => f.id).sort()).toEqual([
      'high-fai-cardiac-mortality',
      'minoca-takotsubo-like',
      'plaque-progression-risk',
    ]);
  });
  it('reports lesions with the culprit flag', () => {
    const [l] = lesionReports(h, [{ vesselIndex: 0, startMm: 12, endMm: 21.5 }], [vessel], 1, o);
    expect(l).toMatchObject({ vessel: 'LAD', faiHu: -60, fatVoxels: 4, voiVoxels: 4 });
    expect(l?.flags.map((f) => f.id)).toEqual(['culprit-lesion-like']);
  });
  it('gives null (never 0 or NaN) for an empty VOI', () => {
    const empty: PericoronaryHistograms = { ...h, voi: hist(1, () => []), rings: hist(RING_COUNT, () => []) };
    const [e] = vesselReports(empty, [vessel], grid, 1, o);
    expect(e).toMatchObject({
      faiHu: null,
      faiHu120: null,
      sdHu: null,
      fatFraction: null,
      vpci: null,
      nearHu: null,
      remoteHu: null,
      flags: [],
    });
    expect(e?.fatVoxels).toBe(0);
  });
});

describe('EAT report', () => {
  it('computes volume in mL and the 120 kVp mean', () => {
    const e = eatReport(
      hist(1, () => [
        [-100, 8],
        [-80, 2],
      ]),
      grid,
      1.267,
    );
    expect(e.volumeMl).toBeCloseTo(10 * 0.25e-3, 12);
    expect(e.meanHu).toBe(-96);
    expect(e.meanHu120).toBeCloseTo(-96 / 1.267, 12);
    expect(e.medianHu).toBe(-100);
    expect([e.minHu, e.maxHu]).toEqual([-100, -80]);
  });
});

describe('kV conversion and flags', () => {
  it('uses the default factor table and returns null for unknown kVp', () => {
    const t = withDefaults({}).kvpFactors;
    expect(kvpFactor(80, t)).toBe(1.267);
    expect(kvpFactor(120, t)).toBe(1);
    expect(kvpFactor(90, t)).toBeNull();
    expect(kvpFactor(null, t)).toBeNull();
    expect(to120(-80, 1.08)).toBeCloseTo(-74.074, 3);
  });
  it('flags at the threshold inclusive, not below it', () => {
    expect(evaluateFlags(DEFAULT_FLAGS, 'vessel', -70.1, null).map((f) => f.id)).toContain(
      'high-fai-cardiac-mortality',
    );
    expect(
      evaluateFlags(DEFAULT_FLAGS, 'vessel', -70.11, null)
        .map((f) => f.id)
        .sort(),
    ).toEqual(['minoca-takotsubo-like', 'plaque-progression-risk']);
    expect(evaluateFlags(DEFAULT_FLAGS, 'lesion', -68.2, null).map((f) => f.id)).toEqual(['culprit-lesion-like']);
    expect(evaluateFlags(DEFAULT_FLAGS, 'vessel', null, null)).toEqual([]);
  });
  it('gives coronary cut-offs to RCA, LAD and LCx only', () => {
    expect(evaluateFlags(DEFAULT_FLAGS, 'vessel', -60, null, 'LCx')).toHaveLength(3);
    expect(evaluateFlags(DEFAULT_FLAGS, 'vessel', -60, null, 'AORTA')).toEqual([]);
  });
});

describe('options', () => {
  it('has the default segments, case-insensitive, and user overrides', () => {
    const o = withDefaults({ segmentsMm: { lad: [5, 30] } });
    expect(segmentFor('RCA', o)).toEqual([10, 50]);
    expect(segmentFor('LCx', o)).toEqual([0, 40]);
    expect(segmentFor('LAD', o)).toEqual([5, 30]);
    expect(segmentFor('OM1', o)[1]).toBe(Infinity);
  });
  it('parses CLI option values and refuses bad ones with E_OPTIONS', () => {
    expect(parseSegments(['RCA=10:50'])).toEqual({ RCA: [10, 50] });
    expect(parseLesionSpecs(['LAD:12-21.5,RCA:5-9'])).toEqual([
      { vessel: 'LAD', startMm: 12, endMm: 21.5 },
      { vessel: 'RCA', startMm: 5, endMm: 9 },
    ]);
    expect(measureOptionsFrom({ kvp: '100', 'fat-window': '-200:-40', 'wall-gap': '0.5' })).toMatchObject({
      kvp: 100,
      window: { lo: -200, hi: -40 },
      wallGapMm: 0.5,
    });
    for (const bad of [
      { kvp: 'x' },
      { 'fat-window': '-30:-190' },
      { 'wall-gap': '-1' },
      { 'axial-slices': '1:2', 'axial-mm': '1:2' },
    ]) {
      expect(() => measureOptionsFrom(bad)).toThrow(PerifatError);
    }
  });
});

describe('cut-off flags apply to coronaries only, in the engine and in the phantom oracle alike', () => {
  it('a non-coronary vessel and its lesion get numbers, no flags', async () => {
    const { vesselFlags, lesionFlags } = await import('../../src/phantom/rules');
    const { evaluateFlags } = await import('../../src/measure/flags');
    const o = withDefaults({});
    for (const name of ['AORTA', 'RI']) {
      expect(evaluateFlags(o.flags, 'vessel', -50, null, name)).toEqual([]);
      expect(evaluateFlags(o.flags, 'lesion', -50, null, name)).toEqual([]);
      expect(vesselFlags(name, -50, null)).toEqual([]);
      expect(lesionFlags(name, -50, null)).toEqual([]);
    }
    for (const name of ['RCA', 'lad', 'LCx']) {
      const engine = evaluateFlags(o.flags, 'vessel', -50, null, name).map((f) => f.id);
      expect(engine.length).toBe(3);
      expect(vesselFlags(name, -50, null).map((f) => f.id)).toEqual(engine);
      expect(evaluateFlags(o.flags, 'lesion', -50, null, name).map((f) => f.id)).toEqual(
        lesionFlags(name, -50, null).map((f) => f.id),
      );
    }
  });
});
