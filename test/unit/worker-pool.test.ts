/**
 * The warm worker pool (src/platform/node/worker-pool.ts): classifications sharing it — side by
 * side, off the main thread, as a batch's lanes do — give the single-threaded layers voxel for
 * voxel and reuse its threads; loans are granted whole and in order; a discarded worker is
 * replaced. And the I/O clock counts overlapping spans once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { classifyHere } from '../../src/backends/cpu/pericoronary';
import { withDefaults } from '../../src/measure/options';
import { prepareVessels } from '../../src/measure/prepare';
import { makePhantom } from '../../src/phantom';
import { IoClock, timedIo } from '../../src/platform/node/io-clock';
import { workerClassifier } from '../../src/platform/node/shell-workers';
import { ShellWorkerPool } from '../../src/platform/node/worker-pool';
import { cropHu, planShells } from '../../src/shells/plan';

const pool = new ShellWorkerPool(2);
afterAll(() => pool.close());

describe('a shared pool of classification workers', () => {
  it('classifies two cases at once off the main thread, equal to one thread, on the same workers', async () => {
    const o = withDefaults({});
    const cases = [1, 2].map((seed) => {
      const ph = makePhantom({ dims: [80, 80, 56], spacing: [0.5, 0.5, 0.7], seed, tree: {} });
      const p = prepareVessels(ph.vessels, o, []);
      const plan = planShells(ph.ct, p.vessels, p.lesions, {
        window: o.window,
        wallGapMm: 0,
        calciumGuardMm: null,
        calciumHu: 130,
      });
      return { plan, hu: cropHu(ph.ct.dims, ph.ct.hu, plan.crop) };
    });
    const shared = workerClassifier(2, Infinity, { pool, offMainThread: true });
    for (let round = 0; round < 2; round++) {
      const [a, b] = await Promise.all(cases.map((c) => shared(c.plan, c.hu)));
      for (const [got, c] of [
        [a, cases[0]],
        [b, cases[1]],
      ] as const) {
        const one = await classifyHere(c!.plan, c!.hu);
        expect(Buffer.compare(Buffer.from(got!.layers.voi), Buffer.from(one.layers.voi))).toBe(0);
        expect(Buffer.compare(Buffer.from(got!.layers.rings), Buffer.from(one.layers.rings))).toBe(0);
        expect(got!.evaluations).toBe(one.evaluations);
        expect(one.layers.voi.some((x) => x !== 0)).toBe(true);
      }
    }
    const ws = await pool.acquire(2);
    const ids = ws.map((w) => w.threadId).sort();
    ws.forEach((w) => pool.release(w));
    // No thread was started beyond the pool's two.
    expect(Math.max(...ids)).toBeLessThanOrEqual(2 + Math.min(...ids));
  }, 120_000);

  it('grants a loan whole and in order, and replaces a discarded worker', async () => {
    const [first] = await pool.acquire(1);
    let granted = false;
    const both = pool.acquire(2).then((ws) => {
      granted = true;
      return ws;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(granted).toBe(false); // one worker is free, two were asked: none is held meanwhile
    await pool.discard(first!);
    const ws = await both;
    expect(ws).toHaveLength(2);
    expect(ws).not.toContain(first);
    ws.forEach((w) => pool.release(w));
    await expect(pool.acquire(3)).rejects.toThrow(/pool of 2/);
  }, 60_000);
});

describe('the I/O clock', () => {
  it('counts overlapping spans once, and only inside its run', async () => {
    const clock = new IoClock();
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await clock.run(() => Promise.all([timedIo('read', () => wait(60)), timedIo('read', () => wait(60))]));
    await timedIo('read', () => wait(60)); // outside the clock's run: not counted
    expect(clock.wallMs('read')).toBeGreaterThanOrEqual(55);
    expect(clock.wallMs('read')).toBeLessThan(110);
    expect(clock.wallMs('inflate')).toBe(0);
  });
});
