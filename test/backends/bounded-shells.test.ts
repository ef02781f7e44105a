/**
 * The CPU backend's fast float64 path against the plain one: BoundedShells over the live-only
 * index (src/shells/bounded.ts, buildCandidateSteps' liveOnly) must give every voxel the labels
 * ExactShells gives it over the whole index — ownership ties within and across parts, lesions,
 * wall gap, anisotropic spacing, oblique directions, radii that change along the vessels.
 */
import { describe, expect, it } from 'vitest';
import type { PreparedLesion, PreparedVessel } from '../../src/measure/pericoronary-types';
import { BoundedShells } from '../../src/shells/bounded';
import { buildCandidates } from '../../src/shells/candidates';
import { classifyCrop, classifyShare } from '../../src/shells/classify';
import { ExactShells } from '../../src/shells/exact';
import { type ShellPlan, planShells } from '../../src/shells/plan';
import type { Mat3, Vec3 } from '../../src/volume/geometry';
import { OPTS, makeCt, mismatches, stemTree, tieMismatches, vessel } from '../harness/shell-fixtures';
import { rng } from '../helpers/random';

/** A random rotation (Gram–Schmidt of three random vectors), as direction cosines. */
function rotation(r: () => number): Mat3 {
  const v = () => [r() - 0.5, r() - 0.5, r() - 0.5] as Vec3;
  const norm = (a: Vec3): Vec3 => {
    const n = Math.hypot(...a);
    return [a[0] / n, a[1] / n, a[2] / n];
  };
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const minus = (a: Vec3, b: Vec3, k: number): Vec3 => [a[0] - k * b[0], a[1] - k * b[1], a[2] - k * b[2]];
  const x = norm(v());
  let y = v();
  y = norm(minus(y, x, dot(y, x)));
  const z: Vec3 = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
  // Columns x, y, z.
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}

/** A jittered polyline of `count` points from `from`, steps of 0.3–1 mm, turning at random. */
function wander(r: () => number, from: Vec3, count: number): Vec3[] {
  const pts: Vec3[] = [from];
  let h: Vec3 = [r() - 0.5, r() - 0.5, r() - 0.5];
  for (let i = 1; i < count; i++) {
    h = [h[0] + 0.6 * (r() - 0.5), h[1] + 0.6 * (r() - 0.5), h[2] + 0.6 * (r() - 0.5)];
    const n = Math.hypot(...h);
    h = [h[0] / n, h[1] / n, h[2] / n];
    const step = 0.3 + 0.7 * r();
    const p = pts[i - 1]!;
    pts.push([p[0] + step * h[0], p[1] + step * h[1], p[2] + step * h[2]]);
  }
  return pts;
}

/**
 * A random case in world mm: two vessels sharing a stem point for point (ties within a part), a
 * third starting at the stem's first point with the same radius (ties across parts behind it), a
 * fourth of its own; radii varying along; random segments, lesions and wall gap.
 */
function randomCase(seed: number) {
  const r = rng(seed);
  const spacing: Vec3 = [0.35 + 0.4 * r(), 0.35 + 0.4 * r(), 0.4 + 0.8 * r()];
  const dims: Vec3 = [40, 36, 28];
  const direction = seed % 3 === 0 ? ([1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3) : rotation(r);
  const ct = makeCt(
    dims,
    spacing,
    new Int16Array(dims[0] * dims[1] * dims[2]),
    [r() * 9 - 4, r() * 9 - 4, 3],
    direction,
  );
  // Centerlines around the middle of the volume, in world coordinates.
  const mid: Vec3 = [0, 1, 2].map((a) => {
    const ext = (dims[a]! * spacing[a]!) / 2;
    let c = ct.origin[a]!;
    for (let b = 0; b < 3; b++) c += direction[3 * a + b]! * ((dims[b]! * spacing[b]!) / 2);
    return c + (r() - 0.5) * 0.2 * ext;
  }) as Vec3;
  const radius = (n: number, r0: number) =>
    Array.from({ length: n }, (_, i) => Math.max(0.3, r0 - 0.03 * i + 0.2 * r()));
  const stem = wander(r, mid, 8);
  const stemR = radius(stem.length, 1.8);
  const tail = (n: number) => wander(r, stem[stem.length - 1]!, n).slice(1);
  const ta = tail(18);
  const tb = tail(18);
  const seg = (): [number, number] => {
    const s0 = r() < 0.5 ? 0 : 3 * r();
    return [s0, s0 + 4 + 10 * r()];
  };
  const v: PreparedVessel[] = [
    vessel('A', 0, [...stem, ...ta], [...stemR, ...radius(ta.length, stemR[stemR.length - 1]!)], seg()),
    vessel('B', 1, [...stem, ...tb], [...stemR, ...radius(tb.length, stemR[stemR.length - 1]!)], seg()),
  ];
  const c = wander(r, stem[0]!, 20);
  v.push(vessel('C', 2, c, [stemR[0]!, ...radius(c.length - 1, 1.5)], seg()));
  const d = wander(r, [mid[0] + 4 * (r() - 0.5), mid[1] + 4 * (r() - 0.5), mid[2] + 4 * (r() - 0.5)], 24);
  v.push(vessel('D', 3, d, radius(d.length, 1.2), seg()));
  const lesions: PreparedLesion[] = Array.from({ length: 4 }, () => {
    const start = 10 * r();
    return { vesselIndex: Math.floor(r() * 4), startMm: start, endMm: start + 1 + 6 * r() };
  });
  const opts = { ...OPTS, wallGapMm: r() < 0.5 ? 0 : 0.6 * r() };
  return { ct, vessels: v, lesions, opts };
}

/** Voxel-for-voxel comparison of BoundedShells (live-only index) with ExactShells (whole index). */
function compareVoxels(plan: ShellPlan): { labelled: number; ties: number; lesions: number } {
  const full = buildCandidates(plan);
  const live = buildCandidates(plan, undefined, true);
  expect(Array.from(live.mayLabel)).toEqual(Array.from(full.mayLabel));
  const ref = new ExactShells(plan, full);
  const fast = new BoundedShells(plan, live);
  const [cx, cy, cz] = plan.cropDims;
  const { size, counts } = full.grid;
  let labelled = 0;
  let ties = 0;
  let lesions = 0;
  let bad = 0;
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++)
      for (let i = 0; i < cx; i++) {
        const cell =
          Math.floor(i / size[0]) + counts[0] * (Math.floor(j / size[1]) + counts[1] * Math.floor(k / size[2]));
        const want = ref.label(i, j, k, null);
        if (full.mayLabel[cell] !== 1) {
          // A cell the index skips whole: no voxel of it has a label.
          if (want) bad++;
          continue;
        }
        const got = fast.label(i, j, k, null);
        let same = got === want && fast.tieCount === ref.tieCount && fast.lesionCount === ref.lesionCount;
        for (let t = 0; same && t < ref.tieCount; t++) {
          same = fast.tieVoi[t] === ref.tieVoi[t] && fast.tieRing[t] === ref.tieRing[t];
        }
        for (let t = 0; same && t < ref.lesionCount; t++) same = fast.lesionHits[t] === ref.lesionHits[t];
        // Every vessel the fast path evaluates has the plain path's w, bit for bit.
        ref.locate(i, j, k);
        for (let v = 0; same && v < plan.vessels.length; v++) {
          same = !Number.isFinite(fast.w[v]!) || fast.w[v] === ref.w[v];
        }
        if (!same) bad++;
        if (want) labelled++;
        if (ref.tieCount > 1) ties++;
        lesions += ref.lesionCount;
      }
  expect(bad).toBe(0);
  // The fast path did skip work.
  expect(fast.evaluations).toBeLessThan(ref.evaluations);
  return { labelled, ties, lesions };
}

describe('BoundedShells over the live-only index = ExactShells over the whole index', () => {
  it('random trees: oblique, anisotropic, stems shared and starts in common, lesions, wall gap', () => {
    let ties = 0;
    let lesions = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const { ct, vessels, lesions: ls, opts } = randomCase(seed);
      const plan = planShells(ct, vessels, ls, opts);
      const got = compareVoxels(plan);
      expect(got.labelled).toBeGreaterThan(1000);
      ties += got.ties;
      lesions += got.lesions;
    }
    // The cases do exercise exact ties and lesions.
    expect(ties).toBeGreaterThan(100);
    expect(lesions).toBeGreaterThan(100);
  });

  it('the stem tree: every tie layer and lesion layer of a share equals the plain whole-crop layers', () => {
    const { ct, vessels, lesions } = stemTree([2, 0, 1]);
    const plan = planShells(ct, vessels, lesions, { ...OPTS, wallGapMm: 0.3 });
    compareVoxels(plan);
    const want = classifyCrop(new ExactShells(plan, buildCandidates(plan)), null);
    const gz = buildCandidates(plan, [0, 1]).grid.counts[2];
    const slice = plan.cropDims[0] * plan.cropDims[1];
    // Shares of 1 and 3 cell slices, stitched by hand.
    for (const step of [1, 3]) {
      for (let c = 0; c < gz; c += step) {
        const share = classifyShare({ plan, zCells: [c, Math.min(gz, c + step)], guard: null });
        const at = share.z0 * slice;
        const part = (a: Uint8Array) => a.subarray(at, at + share.layers.voi.length);
        expect(mismatches(share.layers.voi, part(want.voi))).toBe(0);
        expect(mismatches(share.layers.rings, part(want.rings))).toBe(0);
        expect(
          tieMismatches(share.layers, {
            voi: part(want.voi),
            rings: part(want.rings),
            ties: want.ties.map((t) => ({ voi: part(t.voi), rings: part(t.rings) })),
          }),
        ).toBe(0);
        want.lesions.forEach((l, i) => expect(mismatches(share.layers.lesions[i]!, part(l))).toBe(0));
      }
    }
  });

  it('an exact tie between two parts of one vessel goes to the earlier part, to the last bit of r', () => {
    // Integer geometry, so a voxel beyond the stem's end is exactly as far from the stem (t = 1)
    // as from a tail (t = 0). The stem's radius at t = 1 is 1.3 + (0.2 − 1.3) = 0.19999999999999996,
    // the tail's 0.2: the earlier part, the stem, must win with its own r.
    const ct = makeCt([26, 26, 16], [1, 1, 1], new Int16Array(26 * 26 * 16));
    const stem: Vec3[] = [
      [3, 12, 8],
      [12, 12, 8],
    ];
    const vessels = [
      vessel('A', 0, [...stem, [12, 22, 8]], [1.3, 0.2, 0.2]),
      vessel('B', 1, [...stem, [12, 2, 8]], [1.3, 0.2, 0.2]),
    ];
    const plan = planShells(ct, vessels, [], OPTS);
    expect(plan.parts.length).toBe(3);
    compareVoxels(plan);
    const ref = new ExactShells(plan, buildCandidates(plan));
    let stemWins = 0;
    const [cx, cy, cz] = plan.cropDims;
    for (let k = 0; k < cz; k++)
      for (let j = 0; j < cy; j++)
        for (let i = 0; i < cx; i++) {
          ref.locate(i, j, k);
          if (ref.r[0] === 1.3 + (0.2 - 1.3)) stemWins++;
        }
    expect(stemWins).toBeGreaterThan(10);
  });

  it('the live-only index keeps, for every cell that can get a label, exactly the lists of the whole index', () => {
    const { ct, vessels, lesions, opts } = randomCase(7);
    const plan = planShells(ct, vessels, lesions, opts);
    const full = buildCandidates(plan);
    for (const range of [undefined, [1, 4] as [number, number]]) {
      const live = buildCandidates(plan, range, true);
      const slice = full.grid.counts[0] * full.grid.counts[1];
      const P = full.partCount;
      let checked = 0;
      for (let cell = 0; cell < full.grid.cells; cell++) {
        const inRange = !range || (cell >= range[0] * slice && cell < range[1] * slice);
        expect(live.mayLabel[cell]).toBe(inRange ? full.mayLabel[cell] : 0);
        if (live.mayLabel[cell] !== 1) continue;
        for (let p = 0; p < P; p++) {
          const a = 2 * (cell * P + p);
          const n = full.lists[a + 1]!;
          expect(live.lists[a + 1]).toBe(n);
          const fo = full.lists[a]!;
          const lo = live.lists[a]!;
          expect(Array.from(live.seg.subarray(lo, lo + n))).toEqual(Array.from(full.seg.subarray(fo, fo + n)));
          expect(Array.from(live.plane.subarray(4 * lo, 4 * (lo + n)))).toEqual(
            Array.from(full.plane.subarray(4 * fo, 4 * (fo + n))),
          );
          checked += n;
        }
      }
      expect(checked).toBeGreaterThan(1000);
    }
  });
});
