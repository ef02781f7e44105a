/**
 * The pericoronary shells of both backends' paths against METHOD.md §4 evaluated literally: the
 * labels of straight and curved vessels by the float64 CPU backend and by the f32 kernels' reference
 * with its settling (test/oracles/pericoronary-f32.ts); the float64 nearest points over the
 * candidate index; the shells' plan.
 */
import { describe, expect, it } from 'vitest';
import { type F32ReferenceResult, pericoronaryF32Reference } from '../oracles/pericoronary-f32';
import { fatStatsCpu } from '../../src/kernels/fat-stats/fat-stats.cpu';
import { nearestOnPolylineBrute } from '../oracles/nearest-brute';
import {
  RING_COUNT,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../../src/measure/pericoronary-types';
import { buildCandidates } from '../../src/shells/candidates';
import { ExactShells } from '../../src/shells/exact';
import { pericoronaryF64 } from '../../src/backends/cpu/pericoronary';
import { cropHu, layerLesions, planShells } from '../../src/shells/plan';
import { voxelToWorld } from '../../src/volume/geometry';
import type { Mat3, Vec3 } from '../../src/volume/geometry';
import {
  type Int16Ct,
  OPTS,
  curve,
  fatNoise,
  makeCt,
  mismatches,
  oracleLayers,
  tieMismatches,
  twoCurvedVessels,
  vessel,
} from '../harness/shell-fixtures';
import { rng } from '../helpers/random';

/** A straight vessel along a direction through an oblique volume. */
function straightCase(direction: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1]) {
  const dims: Vec3 = [48, 44, 30];
  const spacing: Vec3 = [0.7, 0.7, 1.0];
  const ct = makeCt(dims, spacing, fatNoise(dims[0] * dims[1] * dims[2], 11), [-3, 2, -1], direction);
  // In voxel terms the vessel crosses the whole volume and leaves it at both ends.
  const a = [-10, 5.3, 3.1] as Vec3;
  const b = [60, 27.9, 38.2] as Vec3;
  const toWorld = (p: Vec3): Vec3 => {
    const d = direction;
    const x = [p[0] * spacing[0], p[1] * spacing[1], p[2] * spacing[2]];
    return [0, 1, 2].map(
      (r) => ct.origin[r]! + d[3 * r]! * x[0]! + d[3 * r + 1]! * x[1]! + d[3 * r + 2]! * x[2]!,
    ) as Vec3;
  };
  const pts = curve(
    (u) => toWorld([a[0] + u * (b[0] - a[0]), a[1] + u * (b[1] - a[1]), a[2] + u * (b[2] - a[2])]),
    0,
    1,
    9,
  );
  return { ct, vessels: [vessel('LAD', 0, pts, 1.37, [12.3, 40.1])] };
}

/** A jittered, tortuous polyline (a traced centerline) from `from` heading along `dir`. */
function tortuous(seed: number, from: Vec3, dir: Vec3, count: number): Vec3[] {
  const r = rng(seed);
  const pts: Vec3[] = [from];
  let h: Vec3 = dir;
  for (let i = 1; i < count; i++) {
    const turn: Vec3 = [r() - 0.5, r() - 0.5, r() - 0.5];
    h = [h[0] + 0.5 * turn[0], h[1] + 0.5 * turn[1], h[2] + 0.5 * turn[2]];
    const n = Math.hypot(...h);
    h = [h[0] / n, h[1] / n, h[2] / n];
    const step = 0.3 + 0.4 * r();
    const p = pts[i - 1]!;
    pts.push([p[0] + step * h[0], p[1] + step * h[1], p[2] + step * h[2]]);
  }
  return pts;
}

/** Runs both CPU paths and checks them against each other and the literal oracle. */
function expectExact(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
): Promise<{ f64: PericoronaryResult; f32: F32ReferenceResult }> {
  return pericoronaryF64(ct, vessels, lesions, opts, { returnLayers: true }).then((f64) => {
    const f32 = pericoronaryF32Reference(ct, vessels, lesions, opts, { returnLayers: true }) as F32ReferenceResult;
    const oracle = oracleLayers(ct, f64.crop, vessels, lesions, opts);
    for (const r of [f64, f32]) {
      const L = r.layers!;
      expect(mismatches(L.voi, oracle.voi, oracle.ambiguous)).toBe(0);
      expect(mismatches(L.rings, oracle.rings, oracle.ambiguous)).toBe(0);
      // Every tie layer (a voxel where vessels tie exactly is in each one's regions).
      expect(tieMismatches(L, oracle, oracle.ambiguous)).toBe(0);
      expect(L.lesions.length).toBe(oracle.lesions.length);
      L.lesions.forEach((l, i) => expect(mismatches(l, oracle.lesions[i]!, oracle.ambiguous)).toBe(0));
    }
    // Both backends' paths give the same layers and histograms, guard-ambiguous voxels included.
    expect(mismatches(f32.layers!.voi, f64.layers!.voi)).toBe(0);
    expect(mismatches(f32.layers!.rings, f64.layers!.rings)).toBe(0);
    expect(tieMismatches(f32.layers!, f64.layers!)).toBe(0);
    expect(Array.from(f32.voi.histogram)).toEqual(Array.from(f64.voi.histogram));
    expect(Array.from(f32.rings.voxels)).toEqual(Array.from(f64.rings.voxels));
    return { f64, f32 };
  });
}

describe('pericoronary shells: float64 backend and f32 reference = the literal definition', () => {
  it('a straight cylinder leaving the volume: exactly the analytic labels', async () => {
    const { ct, vessels } = straightCase();
    const { f64 } = await expectExact(ct, vessels, [], OPTS);
    // Counts follow from the layers.
    const hu = cropHu(ct.dims, ct.hu, f64.crop);
    expect(Array.from(f64.voi.voxels)).toEqual(Array.from(fatStatsCpu(hu, f64.layers!.voi, 1, OPTS.window).voxels));
    expect(f64.voi.voxels[1]).toBeGreaterThan(100);
    expect(f64.rings.voxels[RING_COUNT]).toBeGreaterThan(100);
  });

  it('an oblique direction matrix and a wall gap', async () => {
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    const { ct, vessels } = straightCase([c, -s, 0, s * 0.6, c * 0.6, -0.8, s * 0.8, c * 0.8, 0.6]);
    await expectExact(ct, vessels, [], { ...OPTS, wallGapMm: 0.45 });
  });

  it('curved vessels, ownership between two vessels, overlapping lesions, calcium guard', async () => {
    // The arc is inside the volume for s ≈ 5…29 mm; its two lesions overlap on 14–16 mm.
    const { ct, vessels, lesions } = twoCurvedVessels({
      dims: [40, 36, 24],
      seed: 12,
      origin: [0, 0, 0],
      arcZ: 6,
      lad: [16, 14],
    });
    expect(layerLesions(vessels, lesions).layerCount).toBe(2);
    const opts = { ...OPTS, calciumGuardMm: 1.0, wallGapMm: 0.2 };
    const { f64, f32 } = await expectExact(ct, vessels, lesions, opts);
    const L = f64.layers!;
    expect(L.lesions.length).toBe(2);
    expect(f64.lesions!.voxels[1]).toBeGreaterThan(0);
    expect(f64.lesions!.voxels[2]).toBeGreaterThan(0);
    expect(f64.lesions!.voxels[3]).toBeGreaterThan(0);
    // The overlap is counted in both lesions.
    let both = 0;
    for (let v = 0; v < L.voi.length; v++) if (L.lesions[0]![v] === 1 && L.lesions[1]![v] === 2) both++;
    expect(both).toBeGreaterThan(0);
    // The f32 kernels leave few voxels to float64.
    expect(f32.undecided.length).toBeLessThan(L.voi.length * 0.01);
  });

  it('tortuous jittered centerlines, two branches sharing a stem from the ostium', async () => {
    const dims: Vec3 = [44, 40, 30];
    const spacing: Vec3 = [0.45, 0.45, 0.6];
    const ct = makeCt(dims, spacing, fatNoise(dims[0] * dims[1] * dims[2], 21), [0, 0, 0]);
    const stem = tortuous(5, [6, 9, 8], [1, 0.2, 0.1], 14);
    const last = stem[stem.length - 1]!;
    const a = tortuous(6, last, [0.6, 0.8, 0.1], 40).slice(1);
    const b = tortuous(7, last, [0.7, -0.3, 0.6], 40).slice(1);
    const radii = (n: number) => Array.from({ length: n }, (_, i) => 1.6 - 0.01 * i);
    const lad = [...stem, ...a];
    const lcx = [...stem, ...b];
    const vessels = [vessel('LAD', 0, lad, radii(lad.length), [0, 12]), vessel('LCx', 1, lcx, radii(lcx.length))];
    const lesions = [{ vesselIndex: 1, startMm: 4, endMm: 9.5 }];
    const { f64, f32 } = await expectExact(ct, vessels, lesions, OPTS);
    // The stem's voxels count for LAD and LCx both: LCx's labels in the second tie layer.
    expect(f64.layers!.ties!.length).toBe(1);
    expect(f64.layers!.ties![0]!.voi.filter((l) => l === 2).length).toBeGreaterThan(50);
    // The stem is one part: the tie between LAD and LCx around it needs no settling.
    expect(planShells(ct, vessels, lesions, OPTS).parts.map((p) => p.segCount)).toEqual([13, 39, 39]);
    expect(f32.diagnostics.undecided!.total).toBeLessThan(ct.hu.length * 0.01);
  });

  it('no vessel near the volume → empty histograms and an empty crop', async () => {
    const dims: Vec3 = [10, 10, 10];
    const ct = makeCt(dims, [1, 1, 1], fatNoise(1000, 3));
    const far = [
      vessel(
        'RCA',
        0,
        [
          [500, 500, 500],
          [510, 500, 500],
        ],
        2,
      ),
    ];
    const r = await pericoronaryF64(ct, far, [], OPTS);
    expect(r.crop.hi).toEqual([0, 0, 0]);
    expect(r.voi.voxels.every((x) => x === 0)).toBe(true);
    expect(r.rings.maxLabel).toBe(RING_COUNT);
  });
});

describe('float64 nearest points over the candidate index', () => {
  it('equal the brute-force oracle bit for bit (w, s, r) at every crop voxel', () => {
    const dims: Vec3 = [36, 30, 24];
    const spacing: Vec3 = [0.41, 0.41, 0.6];
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const ct = makeCt(
      dims,
      spacing,
      new Int16Array(dims[0] * dims[1] * dims[2]),
      [-4, 3, 7],
      [c, 0, s, 0, 1, 0, -s, 0, c],
    );
    const stem = tortuous(11, [-2, 8, 10], [1, 0.3, 0], 10);
    const vessels = [
      vessel('A', 0, [...stem, ...tortuous(12, stem[9]!, [0, 1, 0.3], 30).slice(1)], 1.4),
      vessel('B', 1, [...stem, ...tortuous(13, stem[9]!, [0.2, -0.5, 1], 30).slice(1)], 1.4),
      vessel('C', 2, tortuous(14, [4, 2, 9], [0.3, 1, 0.2], 50), 1.1),
    ];
    const plan = planShells(ct, vessels, [], OPTS);
    const ex = new ExactShells(plan, buildCandidates(plan));
    const [cx, cy, cz] = plan.cropDims;
    let checked = 0;
    for (let k = 0; k < cz; k += 2)
      for (let j = 0; j < cy; j += 2)
        for (let i = 0; i < cx; i++) {
          ex.locate(i, j, k);
          const p = voxelToWorld(ct, [plan.crop.lo[0] + i, plan.crop.lo[1] + j, plan.crop.lo[2] + k]);
          vessels.forEach((v, vi) => {
            const want = nearestOnPolylineBrute(v.points, v.radii, v.arcMm, p);
            if (want.d > plan.vessels[vi]!.cutoff) return; // far: the index need not answer
            expect(ex.w[vi]).toBe(want.w);
            expect(ex.s[vi]).toBe(want.s);
            expect(ex.r[vi]).toBe(want.r);
            checked++;
          });
        }
    expect(checked).toBeGreaterThan(10000);
    // Far fewer projections than a brute force over every segment of every vessel.
    expect(ex.evaluations).toBeLessThan(checked * 4);
  });
});

describe('shell planning', () => {
  it('crop = centerline box + margin clipped to the CT', () => {
    const ct = makeCt([100, 90, 40], [0.5, 0.5, 1], new Int16Array(100 * 90 * 40));
    // The vessel leaves the CT through z < 0.
    const v = vessel(
      'RCA',
      0,
      [
        [25, 22, 5],
        [25, 22, -8],
      ],
      1.5,
    );
    const plan = planShells(ct, [v], [], { ...OPTS, calciumGuardMm: 1 });
    expect(plan.crop.lo[2]).toBe(0);
    // 20 mm + r + guard either side of x = 50 voxels in x (0.5 mm): at least 45 voxels each way.
    expect(plan.crop.lo[0]).toBeLessThanOrEqual(50 - 45);
    expect(plan.crop.hi[0]).toBeGreaterThanOrEqual(50 + 45);
    expect(plan.segmentCount).toBe(1);
  });

  it('shared prefixes become parts, split where a later vessel leaves them', () => {
    const line = (n: number, d: Vec3, from: Vec3 = [0, 0, 0]): Vec3[] =>
      Array.from({ length: n }, (_, i) => [from[0] + i * d[0], from[1] + i * d[1], from[2] + i * d[2]] as Vec3);
    const trunk = line(6, [1, 0, 0]);
    const a = [...trunk, ...line(5, [0, 1, 0], trunk[5]).slice(1)];
    const b = [...trunk, ...line(5, [0, -1, 0], trunk[5]).slice(1)];
    // C leaves the trunk earlier, at point 3: the trunk part is split there.
    const c = [...trunk.slice(0, 4), ...line(5, [0, 0, 1], trunk[3]).slice(1)];
    const ct = makeCt([20, 20, 20], [1, 1, 1], new Int16Array(8000), [-10, -10, -10]);
    const vs = [
      vessel('A', 0, a, 1),
      vessel('B', 1, b, 1),
      vessel('C', 2, c, 1),
      vessel('D', 3, line(3, [0, 0, -1]), 1),
    ];
    const plan = planShells(ct, vs, [], OPTS);
    const segs = plan.parts.map((p) => p.segCount);
    expect(plan.vessels.map((v) => v.parts.map((p) => segs[p]))).toEqual([[3, 2, 4], [3, 2, 4], [3, 4], [2]]);
    expect(plan.vessels[0]!.parts[0]).toBe(plan.vessels[2]!.parts[0]);
    expect(plan.segmentCount).toBe(3 + 2 + 4 + 4 + 4 + 2);
    // A different radius on a shared point ends the sharing.
    const b2 = vessel(
      'B',
      1,
      b,
      b.map((_, i) => (i === 2 ? 1.1 : 1)),
    );
    const split = planShells(ct, [vs[0]!, b2], [], OPTS);
    expect(split.vessels[1]!.parts.map((p) => split.parts[p]!.segCount)).toEqual([1, 8]);
  });

  it('overlapping lesions of one vessel go to separate layers; other vessels share', () => {
    const vs = [
      vessel(
        'A',
        0,
        [
          [0, 0, 0],
          [10, 0, 0],
        ],
        1,
      ),
      vessel(
        'B',
        1,
        [
          [0, 5, 0],
          [10, 5, 0],
        ],
        1,
      ),
    ];
    const { entries, layerCount } = layerLesions(vs, [
      { vesselIndex: 0, startMm: 0, endMm: 5 },
      { vesselIndex: 0, startMm: 5, endMm: 8 },
      { vesselIndex: 1, startMm: 0, endMm: 9 },
      { vesselIndex: 0, startMm: 6, endMm: 9 },
    ]);
    expect(layerCount).toBe(2);
    expect(entries.map((e) => e.layer)).toEqual([0, 1, 0, 0]);
  });
});
