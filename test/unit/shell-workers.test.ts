/**
 * The float64 classification shared among worker threads gives the layers of the single-threaded
 * one, voxel for voxel (shares interleaved, stitched back), with and without the calcium guard.
 */
import { describe, expect, it } from 'vitest';
import { workerClassifier } from '../../src/platform/node/shell-workers';
import { classifyHere } from '../../src/backends/cpu/pericoronary';
import { cropHu, planShells } from '../../src/shells/plan';
import { makePhantom } from '../../src/phantom';
import { prepareVessels } from '../../src/measure/prepare';
import { withDefaults } from '../../src/measure/options';

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
      const one = await classifyHere(plan, hu);
      const three = await workerClassifier(3, 0)(plan, hu);
      expect(three.workers).toBe(3);
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
});
