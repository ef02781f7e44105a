/**
 * The float64 classification shared among worker threads gives the layers of the single-threaded
 * one, voxel for voxel (every thread writing its shares' slices into one set of shared layers),
 * with and without the calcium guard, and with the layers a worker must add for exact ties across
 * parts.
 */
import { describe, expect, it } from 'vitest';
import { workerClassifier } from '../../src/platform/node/shell-workers';
import { classifyHere } from '../../src/backends/cpu/pericoronary';
import { layerHistogramsCpu } from '../../src/backends/pericoronary-stages';
import { cropHu, planShells } from '../../src/shells/plan';
import { makePhantom } from '../../src/phantom';
import { prepareVessels } from '../../src/measure/prepare';
import { withDefaults } from '../../src/measure/options';
import { OPTS, makeCt, vessel } from '../harness/shell-fixtures';
import type { LabelLayers } from '../../src/shells/layers';

/** Voxels where two layer sets differ, over every tie and lesion layer (a missing layer reads as zeros). */
function layerMismatches(a: LabelLayers, b: LabelLayers): number {
  const n = a.voi.length;
  const zeros = new Uint8Array(n);
  const pairs: [Uint8Array, Uint8Array][] = [
    [a.voi, b.voi],
    [a.rings, b.rings],
  ];
  for (let t = 0; t < Math.max(a.ties.length, b.ties.length); t++) {
    pairs.push(
      [a.ties[t]?.voi ?? zeros, b.ties[t]?.voi ?? zeros],
      [a.ties[t]?.rings ?? zeros, b.ties[t]?.rings ?? zeros],
    );
  }
  for (let l = 0; l < Math.max(a.lesions.length, b.lesions.length); l++) {
    pairs.push([a.lesions[l] ?? zeros, b.lesions[l] ?? zeros]);
  }
  let bad = 0;
  for (const [x, y] of pairs) for (let v = 0; v < n; v++) if (x[v] !== y[v]) bad++;
  return bad;
}

describe('worker-thread classification', () => {
  it('equals the single-threaded layers', async () => {
    const ph = makePhantom({ dims: [96, 96, 64], spacing: [0.5, 0.5, 0.7], seed: 2, calcium: true, tree: {} });
    const o = withDefaults({});
    const p = prepareVessels(ph.vessels, o, []);
    for (const guard of [null, 1]) {
      const plan = planShells(ph.ct, p.vessels, p.lesions, {
        window: o.window,
        wallGapMm: 0,
        calciumGuardMm: guard,
        calciumHu: 130,
      });
      const hu = cropHu(ph.ct.dims, ph.ct.hu, plan.crop);
      const one = await classifyHere(plan, hu, undefined, o.window);
      const three = await workerClassifier(3, 0)(plan, hu, undefined, o.window);
      expect(three.workers).toBe(3);
      // The fat counted as labels were placed is the fat the stats stage reads off the layers.
      const want = layerHistogramsCpu(plan, hu, one.layers, o.window);
      expect(one.counts).toEqual(want);
      expect(three.counts).toEqual(want);
      expect(want.voi.voxels.some((x) => x > 0)).toBe(true);
      expect(Buffer.compare(Buffer.from(three.layers.voi), Buffer.from(one.layers.voi))).toBe(0);
      expect(Buffer.compare(Buffer.from(three.layers.rings), Buffer.from(one.layers.rings))).toBe(0);
      expect(three.layers.lesions.length).toBe(one.layers.lesions.length);
      three.layers.lesions.forEach((l, i) =>
        expect(Buffer.compare(Buffer.from(l), Buffer.from(one.layers.lesions[i]!))).toBe(0),
      );
      expect(three.evaluations).toBe(one.evaluations);
      expect(one.layers.voi.some((x) => x !== 0)).toBe(true);
    }
  });

  it('a cancelled classification ends its workers, the next one still equals the single-threaded layers', async () => {
    const ph = makePhantom({ dims: [96, 96, 64], spacing: [0.5, 0.5, 0.7], seed: 3, tree: {} });
    const o = withDefaults({});
    const p = prepareVessels(ph.vessels, o, []);
    const plan = planShells(ph.ct, p.vessels, p.lesions, {
      window: o.window,
      wallGapMm: 0,
      calciumGuardMm: null,
      calciumHu: 130,
    });
    const hu = cropHu(ph.ct.dims, ph.ct.hu, plan.crop);
    const one = await classifyHere(plan, hu);
    const abort = new AbortController();
    // Cancelled as soon as the classification reports progress: its workers are mid-share.
    const cancelled = workerClassifier(3, 0)(plan, hu, { signal: abort.signal, onProgress: () => abort.abort() });
    await expect(cancelled).rejects.toMatchObject({ code: 'E_ABORTED' });
    for (let run = 0; run < 2; run++) {
      const again = await workerClassifier(3, 0)(plan, hu);
      expect(again.workers).toBe(3);
      expect(Buffer.compare(Buffer.from(again.layers.voi), Buffer.from(one.layers.voi))).toBe(0);
      expect(Buffer.compare(Buffer.from(again.layers.rings), Buffer.from(one.layers.rings))).toBe(0);
    }
  });

  it('merges the tie and lesion layers workers add for exact ties across parts', async () => {
    // Two straight vessels of equal radius 10 mm apart, integer geometry: every voxel of the plane
    // between them is exactly as far from both (a tie across parts, which the plan's single tie
    // layer cannot hold), and their lesions cover the same arc length, so a tied voxel lies in two
    // lesions that the plan put in one layer.
    const dims: [number, number, number] = [40, 36, 48];
    const ct = makeCt(dims, [1, 1, 1], new Int16Array(dims[0] * dims[1] * dims[2]).fill(-90));
    const line = (y: number) => Array.from({ length: 31 }, (_, q) => [5 + q, y, 24] as [number, number, number]);
    const vessels = [vessel('A', 0, line(13), 2), vessel('B', 1, line(23), 2)];
    const lesions = [
      { vesselIndex: 0, startMm: 4, endMm: 20 },
      { vesselIndex: 1, startMm: 4, endMm: 20 },
    ];
    const plan = planShells(ct, vessels, lesions, OPTS);
    expect(plan.tieLayerCount).toBe(1);
    expect(plan.lesionLayerCount).toBe(1);
    const hu = cropHu(ct.dims, ct.hu, plan.crop);
    const one = await classifyHere(plan, hu, undefined, OPTS.window);
    // The single-threaded layers do need the added layers.
    expect(one.layers.ties.length).toBeGreaterThan(0);
    expect(one.layers.lesions.length).toBeGreaterThan(1);
    const three = await workerClassifier(3, 0)(plan, hu, undefined, OPTS.window);
    expect(three.workers).toBe(3);
    // Tied voxels count once for each vessel, and once in each lesion.
    const want = layerHistogramsCpu(plan, hu, one.layers, OPTS.window);
    expect(one.counts).toEqual(want);
    expect(three.counts).toEqual(want);
    expect(three.layers.ties.length).toBe(one.layers.ties.length);
    expect(three.layers.lesions.length).toBe(one.layers.lesions.length);
    expect(layerMismatches(three.layers, one.layers)).toBe(0);
    // Off the main thread: every share on a worker, every added layer merged from one.
    const off = await workerClassifier(2, 0, { offMainThread: true })(plan, hu);
    expect(layerMismatches(off.layers, one.layers)).toBe(0);
  });
});
