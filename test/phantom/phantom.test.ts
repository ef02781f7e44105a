/** Sanity of the generated phantom: HU law, tissues, lumens, centerlines, geometry, options. */
import { describe, expect, it } from 'vitest';
import { computeTruth, makePhantom, TISSUE, type Phantom } from '../../src/phantom';
import { nearestBrute } from '../../src/phantom/nearest';
import { Rng } from '../../src/phantom/rng';
import { worldToVoxel, voxelToWorld, type Mat3, type Vec3 } from '../../src/volume/geometry';
import { arcLengths } from '../../src/volume/vessels';

// Same 76.8 mm field of view as the default, 8× fewer voxels.
const SMALL = { dims: [96, 96, 64] as Vec3, spacing: [0.8, 0.8, 1.2] as Vec3 };
const small = makePhantom({ ...SMALL, kvp: 100 });

function lengthOf(ph: Phantom, name: string): number {
  const v = ph.vessels.vessels.find((x) => x.name === name)!;
  return arcLengths(v.points)[v.points.length - 1]!;
}

/** Owner (smallest w, ties → first) by brute force over every segment of every vessel. */
function owner(ph: Phantom, p: Vec3): { vi: number; w: number; s: number } {
  let best = { vi: -1, w: Infinity, s: 0 };
  ph.vessels.vessels.forEach((v, vi) => {
    const b = nearestBrute(v, p[0], p[1], p[2]);
    if (b.w < best.w) best = { vi, w: b.w, s: b.s };
  });
  return best;
}

function sampleVoxels(
  ph: Phantom,
  count: number,
  seed: number,
  keep: (n: number) => boolean,
): [number, number, number, number][] {
  const [nx, ny, nz] = ph.ct.dims;
  const rng = new Rng(seed);
  const out: [number, number, number, number][] = [];
  for (let tries = 0; out.length < count && tries < count * 200; tries++) {
    const i = Math.floor(rng.next() * nx);
    const j = Math.floor(rng.next() * ny);
    const k = Math.floor(rng.next() * nz);
    const n = i + nx * (j + ny * k);
    if (keep(n)) out.push([i, j, k, n]);
  }
  return out;
}

describe('phantom', () => {
  it('is deterministic from its seed, with integral noise of the asked SD', () => {
    const a = makePhantom({ ...SMALL, noiseSd: 10, seed: 3 });
    const b = makePhantom({ ...SMALL, noiseSd: 10, seed: 3 });
    const c = makePhantom({ ...SMALL, noiseSd: 10, seed: 4 });
    expect(a.ct.hu).toBeInstanceOf(Int16Array);
    expect(Buffer.from(a.ct.hu.buffer).equals(Buffer.from(b.ct.hu.buffer))).toBe(true);
    expect(Buffer.from(a.ct.hu.buffer).equals(Buffer.from(c.ct.hu.buffer))).toBe(false);
    const clean = makePhantom({ ...SMALL });
    let n = 0;
    let ss = 0;
    for (let m = 0; m < a.ct.hu.length; m++) {
      if (a.tissue.labels[m] !== TISSUE.blood) continue;
      const e = (a.ct.hu[m] as number) - (clean.ct.hu[m] as number);
      ss += e * e;
      n++;
    }
    expect(n).toBeGreaterThan(10000);
    expect(Math.sqrt(ss / n)).toBeGreaterThan(9.7);
    expect(Math.sqrt(ss / n)).toBeLessThan(10.3);
  });

  it('epicardial fat follows the documented law of the distance to the nearest vessel wall', () => {
    const { fatLaw, kvpFactor: f } = small.params;
    expect(f).toBe(1.08);
    const fat = sampleVoxels(small, 1500, 1, (n) => small.tissue.labels[n] === TISSUE.epicardialFat);
    // also the voxels next to the vessels, where the law varies fastest
    const near = sampleVoxels(small, 600, 2, (n) => {
      if (small.tissue.labels[n] !== TISSUE.epicardialFat) return false;
      return (small.ct.hu[n] as number) > Math.round(f * fatLaw.baseHu);
    });
    let closeSum = 0;
    let closeN = 0;
    for (const [i, j, k, n] of [...fat, ...near]) {
      const p = voxelToWorld(small.ct, [i, j, k]);
      const o = owner(small, p);
      const name = small.vessels.vessels[o.vi]!.name;
      const inLesion = small.vessels.lesions.some((l) => l.vessel === name && o.s >= l.startMm && o.s <= l.endMm);
      const a = fatLaw.amplitude[name]! + (inLesion ? fatLaw.lesionBoost : 0);
      // HU = round(f · (−105 + A·exp(−w/4))) for w ≤ 20 mm, round(f · −105) beyond; inside [−190, −30]
      const hu120 = o.w <= 20 ? -105 + a * Math.exp(-o.w / 4) : -105;
      const expected = Math.min(-30, Math.max(-190, Math.round(f * hu120)));
      expect(small.ct.hu[n]).toBe(expected);
      if (o.w <= 2) {
        closeSum += expected;
        closeN++;
      }
    }
    expect(closeN).toBeGreaterThan(50);
    expect(closeSum / closeN).toBeGreaterThan(f * -90); // denser (less negative) near the wall
  });

  it('the pericardium holds the whole EAT layer and excludes the paracardial fat', () => {
    let epi = 0;
    let para = 0;
    const bad: string[] = [];
    for (let m = 0; m < small.tissue.labels.length; m++) {
      const t = small.tissue.labels[m];
      const hu = small.ct.hu[m] as number;
      const inSac = small.pericardium.labels[m] === 1;
      if (t === TISSUE.epicardialFat) {
        epi++;
        if (!inSac || hu < -190 || hu > -30) bad.push(`epicardial fat ${m}`);
      }
      if (t === TISSUE.paracardialFat) {
        para++;
        if (inSac || hu < -190 || hu > -30) bad.push(`paracardial fat ${m}`);
      }
      if (t === TISSUE.lung && hu !== -850) bad.push(`lung ${m}`);
      if (t === TISSUE.myocardium && hu !== 50) bad.push(`myocardium ${m}`);
      if (t === TISSUE.blood && hu !== 350) bad.push(`blood ${m}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(epi).toBeGreaterThan(50000);
    expect(para).toBeGreaterThan(5000);
  });

  it('lumens are exactly the voxels with w ≤ 0 for a vessel, filled with contrast', () => {
    for (const v of small.vessels.vessels) {
      for (const p of v.points) {
        const q = worldToVoxel(small.ct, p).map(Math.round) as Vec3;
        const n = q[0] + 96 * (q[1] + 96 * q[2]);
        expect(small.tissue.labels[n]).toBe(TISSUE.lumen);
        expect(small.ct.hu[n]).toBe(400);
      }
    }
    const near = sampleVoxels(small, 800, 5, (n) => {
      const t = small.tissue.labels[n];
      return t === TISSUE.lumen || t === TISSUE.epicardialFat || t === TISSUE.myocardium;
    });
    let lumen = 0;
    for (const [i, j, k, n] of near) {
      const inLumen = owner(small, voxelToWorld(small.ct, [i, j, k])).w <= 0;
      if (inLumen) lumen++;
      expect(small.tissue.labels[n] === TISSUE.lumen).toBe(inLumen);
    }
    expect(lumen).toBeGreaterThan(0);
  });

  it('centerlines: RCA, LAD, LCx over 50 mm, sampled every 0.5 mm, tapering radii, a LAD lesion', () => {
    expect(small.vessels.vessels.map((v) => v.name)).toEqual(['RCA', 'LAD', 'LCx']);
    for (const v of small.vessels.vessels) {
      expect(lengthOf(small, v.name)).toBeGreaterThan(50);
      for (let q = 1; q < v.points.length; q++) {
        const a = v.points[q - 1]!;
        const b = v.points[q]!;
        const step = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        expect(step).toBeLessThanOrEqual(0.5 + 1e-6);
        if (q < v.points.length - 1) expect(step).toBeGreaterThan(0.499);
        expect(v.radii[q]!).toBeLessThan(v.radii[q - 1]!);
      }
      expect(v.radii[0]).toBeGreaterThanOrEqual(1.8);
      expect(v.radii[v.radii.length - 1]).toBeCloseTo(1.2 + (v.name === 'RCA' ? 0.1 : 0), 6);
    }
    expect(small.vessels.lesions).toEqual([{ vessel: 'LAD', startMm: 12, endMm: 21.5 }]);
  });

  it('edge cases: a short LCx and an RCA that leaves the volume', () => {
    const ph = makePhantom({ ...SMALL, shortLcx: true, rcaLeavesVolume: true });
    expect(lengthOf(ph, 'LCx')).toBeCloseTo(25, 1);
    expect(lengthOf(ph, 'LCx')).toBeLessThan(ph.truth.vessels[2]!.segmentMm[1]);
    const rca = ph.vessels.vessels[0]!;
    const end = worldToVoxel(ph.ct, rca.points[rca.points.length - 1]!);
    expect(end.some((x, a) => x < -0.5 || x > ph.ct.dims[a]! - 0.5)).toBe(true);
    for (const v of ph.truth.vessels) expect(v.voiVoxels).toBeGreaterThan(100);
    expect(ph.truth.vessels[2]!.voiVoxels).toBeLessThan(makePhantomLcxVoi());
  });

  it('calcified plaque: 650–900 HU on the LAD within its arc-length interval, outside the lumen', () => {
    const ph = makePhantom({ ...SMALL, calcium: true });
    let count = 0;
    for (let m = 0; m < ph.tissue.labels.length; m++) {
      if (ph.tissue.labels[m] !== TISSUE.plaque) continue;
      count++;
      const hu = ph.ct.hu[m] as number;
      expect(hu).toBeGreaterThanOrEqual(650);
      expect(hu).toBeLessThanOrEqual(900);
      const [nx, ny] = ph.ct.dims;
      const p = voxelToWorld(ph.ct, [m % nx, Math.floor(m / nx) % ny, Math.floor(m / (nx * ny))]);
      const o = owner(ph, p);
      expect(ph.vessels.vessels[o.vi]!.name).toBe('LAD');
      expect(o.w).toBeGreaterThan(0);
      expect(o.s).toBeGreaterThanOrEqual(15);
      expect(o.s).toBeLessThanOrEqual(19);
    }
    expect(count).toBeGreaterThan(3);
    expect(small.tissue.labels.includes(TISSUE.plaque)).toBe(false);
  });
});

let lcxVoi: number | null = null;
function makePhantomLcxVoi(): number {
  lcxVoi ??= makePhantom(SMALL).truth.vessels[2]!.voiVoxels;
  return lcxVoi;
}

describe('phantom geometry', () => {
  it('a 90° rotation of the grid leaves the anatomy where it is in LPS', () => {
    const rot: Mat3 = [0, -1, 0, 1, 0, 0, 0, 0, 1]; // axis i → +y, axis j → −x
    const a = makePhantom({ ...SMALL });
    const b = makePhantom({ ...SMALL, direction: rot });
    const [nx, ny, nz] = SMALL.dims;
    let same = 0;
    let total = 0;
    for (let k = 0; k < nz; k += 3)
      for (let j = 0; j < ny; j += 2)
        for (let i = 0; i < nx; i += 2) {
          const q = worldToVoxel(a.ct, voxelToWorld(b.ct, [i, j, k])).map(Math.round) as Vec3;
          total++;
          if (a.tissue.labels[q[0] + nx * (q[1] + ny * q[2])] === b.tissue.labels[i + nx * (j + ny * k)]) same++;
        }
    expect(same / total).toBeGreaterThan(0.999);
    expect(b.vessels.vessels[0]!.points).toEqual(a.vessels.vessels[0]!.points);
  });

  it('an oblique direction: centerline points land in lumen voxels and the truth follows the grid', () => {
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    // rotation by 30° about x, then 30° about z (orthonormal, non-trivial)
    const rx = [1, 0, 0, 0, c, -s, 0, s, c];
    const rz = [c, -s, 0, s, c, 0, 0, 0, 1];
    const dir = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((e) => {
      const r = Math.floor(e / 3);
      const col = e % 3;
      return rz[r * 3]! * rx[col]! + rz[r * 3 + 1]! * rx[3 + col]! + rz[r * 3 + 2]! * rx[6 + col]!;
    }) as Mat3;
    const ph = makePhantom({ dims: [112, 112, 80], spacing: [0.8, 0.8, 1.2], direction: dir, scale: 1 });
    const ref = makePhantom({ ...SMALL });
    let inside = 0;
    for (const v of ph.vessels.vessels)
      for (const p of v.points) {
        const q = worldToVoxel(ph.ct, p).map(Math.round) as Vec3;
        if (q.some((x, a) => x < 0 || x >= ph.ct.dims[a]!)) continue;
        inside++;
        expect(ph.tissue.labels[q[0] + 112 * (q[1] + 112 * q[2])]).toBe(TISSUE.lumen);
      }
    expect(inside).toBeGreaterThan(200);
    // Same anatomy on a rotated grid: similar measurements (not equal: other voxel centres).
    const e = ph.truth.eat!.volumeMl;
    expect(Math.abs(e - ref.truth.eat!.volumeMl) / e).toBeLessThan(0.03);
    ph.truth.vessels.forEach((v, vi) => {
      const r = ref.truth.vessels[vi]!;
      expect(Math.abs(v.voiVoxels - r.voiVoxels) / r.voiVoxels).toBeLessThan(0.05);
      expect(Math.abs(v.faiHu! - r.faiHu!)).toBeLessThan(1);
    });
  });

  it('rejects a non-orthonormal direction', () => {
    expect(() => makePhantom({ ...SMALL, direction: [1, 0, 0, 0, 2, 0, 0, 0, 1] })).toThrow(/orthonormal/);
  });
});

describe('phantom truth at the default size', () => {
  const ph = makePhantom({ noiseSd: 0 });
  const t = ph.truth;

  it('covers the default segments, has fat fractions < 1 and the designed flags', () => {
    expect(t.input).toEqual({ ct: 'phantom', dims: [192, 192, 128], spacingMm: [0.4, 0.4, 0.6], kvp: 120 });
    for (const v of t.vessels) {
      expect(lengthOf(ph, v.name)).toBeGreaterThan(v.segmentMm[1]);
      expect(v.fatFraction).toBeGreaterThan(0.5);
      expect(v.fatFraction).toBeLessThan(1);
      // attenuation gradient: denser near the wall
      expect(v.nearHu!).toBeGreaterThan(v.remoteHu!);
      expect(v.rings[0]!.meanHu!).toBeGreaterThan(v.rings[10]!.meanHu!);
    }
    const ids = t.vessels.map((v) => v.flags.map((f) => f.id).sort());
    expect(ids).toEqual([
      ['high-fai-cardiac-mortality', 'minoca-takotsubo-like', 'plaque-progression-risk'],
      ['plaque-progression-risk'],
      [],
    ]);
    expect(t.lesions[0]!.flags.map((f) => f.id)).toEqual(['culprit-lesion-like']);
    expect(t.eat!.fatVoxels).toBeGreaterThan(100000);
  });

  it('converts back to 120 kVp: an 80 kVp phantom reads about the same FAI_120', () => {
    const lo = makePhantom({ ...SMALL, kvp: 80 }).truth;
    const hi = makePhantom({ ...SMALL, kvp: 120 }).truth;
    lo.vessels.forEach((v, vi) => expect(Math.abs(v.faiHu120! - hi.vessels[vi]!.faiHu!)).toBeLessThan(0.5));
    expect(lo.vessels[0]!.faiHu!).toBeLessThan(hi.vessels[0]!.faiHu! - 10);
  });
});

describe('phantom truth options', () => {
  it('the calcium guard ignores the contrast lumen and blood pool, and trims the VOI next to plaque', () => {
    const plain = makePhantom({ ...SMALL });
    const guarded = computeTruth(plain.ct, plain.pericardium, plain.vessels, { calciumGuardMm: 1 });
    expect(guarded.vessels).toEqual(computeTruth(plain.ct, plain.pericardium, plain.vessels).vessels);
    const calc = makePhantom({ ...SMALL, calcium: true });
    const g = computeTruth(calc.ct, calc.pericardium, calc.vessels, { calciumGuardMm: 1 });
    const lad = calc.truth.vessels[1]!;
    expect(g.vessels[1]!.voiVoxels).toBeLessThan(lad.voiVoxels);
    expect(g.vessels[0]).toEqual(calc.truth.vessels[0]);
    expect(g.lesions[0]!.voiVoxels).toBeLessThan(calc.truth.lesions[0]!.voiVoxels);
  });
});
