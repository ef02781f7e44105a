/**
 * The live candidate index built in shares (src/shells/index-shares.ts) — on this thread, and over
 * worker threads for a WebGPU measurement in Node (src/platform/node/index-workers.ts) — is the
 * index one thread builds for the whole crop, bit for bit: every list, candidate, plane and
 * mayLabel, with the WebAssembly builder and with the JS one.
 */
import { describe, expect, it } from 'vitest';
import { type Candidates, buildCandidates } from '../../src/shells/candidates';
import { buildIndexShare, indexShareRanges, mergeIndexShares, shareOf } from '../../src/shells/index-shares';
import { WasmShells } from '../../src/shells/wasm/cells';
import { type ShellPlan, planShells } from '../../src/shells/plan';
import { workerIndexBuilder } from '../../src/platform/node/index-workers';
import { makePhantom } from '../../src/phantom';
import { prepareVessels } from '../../src/measure/prepare';
import { withDefaults } from '../../src/measure/options';
import { firstDiff } from '../harness/distance-calls';

function treePlan(): ShellPlan {
  const ph = makePhantom({ dims: [96, 96, 96], spacing: [0.5, 0.5, 0.5], seed: 3, tree: {} });
  const o = withDefaults({});
  const p = prepareVessels(ph.vessels, o, []);
  return planShells(ph.ct, p.vessels, p.lesions, {
    window: o.window,
    wallGapMm: 0,
    calciumGuardMm: null,
    calciumHu: 130,
  });
}

/** What the WebGPU path builds on one thread: the WebAssembly builder over the whole crop. */
function wholeWasm(plan: ShellPlan): Candidates {
  const wasm = WasmShells.of(plan);
  if (!wasm) throw new Error('WebAssembly builder unavailable');
  for (const _ of wasm.share([0, Infinity])) void _;
  return wasm.toCandidates();
}

function expectSameIndex(got: Candidates, want: Candidates): void {
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  expect(got.count).toBe(want.count);
  expect(got.grid).toEqual(want.grid);
  expect(firstDiff(got.lists, want.lists)).toBe('equal');
  expect(firstDiff(got.seg, want.seg.subarray(0, want.count))).toBe('equal');
  expect(firstDiff(bits(got.plane), bits(want.plane.subarray(0, 4 * want.count)))).toBe('equal');
  expect(firstDiff(got.mayLabel, want.mayLabel)).toBe('equal');
}

describe('the live candidate index in shares', () => {
  const plan = treePlan();
  const ranges = indexShareRanges(plan);

  it('has several shares, each a row of index blocks along z', () => {
    expect(ranges.length).toBeGreaterThan(2);
    for (const [k0, k1] of ranges) {
      expect(k0 % 4).toBe(0);
      expect(k1 - k0).toBeLessThanOrEqual(4);
    }
  });

  it('merged in any order, equals the whole index (WebAssembly builder)', () => {
    const want = wholeWasm(plan);
    expect(want.count).toBeGreaterThan(1000);
    const shares = ranges.map((z) => buildIndexShare(plan, z));
    expectSameIndex(mergeIndexShares(plan, shares), want);
    expectSameIndex(mergeIndexShares(plan, [...shares].reverse()), want);
  });

  it('merged, equals the whole index (JS builder)', () => {
    const want = buildCandidates(plan, undefined, true);
    const shares = ranges.map((z) => shareOf(buildCandidates(plan, z, true), z));
    expectSameIndex(mergeIndexShares(plan, shares), want);
  });

  it('over worker threads, equals the whole index; a cancel is E_ABORTED', async () => {
    const want = wholeWasm(plan);
    expectSameIndex(await workerIndexBuilder(3, { minVoxels: 0 })(plan), want);
    // Every share built by a worker and sent back.
    expectSameIndex(await workerIndexBuilder(2, { minVoxels: 0, offMainThread: true })(plan), want);
    const abort = new AbortController();
    abort.abort();
    await expect(workerIndexBuilder(2, { minVoxels: 0 })(plan, abort.signal)).rejects.toMatchObject({
      code: 'E_ABORTED',
    });
  });
});
