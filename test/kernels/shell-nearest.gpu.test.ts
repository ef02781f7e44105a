/**
 * The shell-nearest kernel alone on the real WGSL (headless Chromium): every crop voxel's state
 * (d², s, r, uncertainty) and owner word bit for bit equal to its CPU twin, in one slab and cut
 * into z-slabs by a small binding limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import type { PageRunner } from '../../src/platform/node/chromium';
import { firstDiff, pericoronaryCall, takeUpload } from '../harness/distance-calls';
import type { ShellNearestReply } from '../harness/page/protocol-distance';
import { plannedCurvedCase } from '../harness/shell-case';
import { startGpuRunner } from '../helpers/gpu-runner';

let runner: PageRunner;

beforeAll(async () => {
  runner = (await startGpuRunner()).runner;
});
afterAll(async () => {
  await runner?.close();
});

describe('shell-nearest.wgsl vs its CPU twin', () => {
  it.each([undefined, 40_000])('state and owner words bit for bit (binding limit %s)', async (limit) => {
    const c = plannedCurvedCase({ wallGapMm: 0 });
    const twin = shellNearestCpu(c.plan, c.cands, c.tables);
    const r = await runner.call<ShellNearestReply>(
      'shellNearest',
      pericoronaryCall(runner, c.ct, c.vessels, c.lesions, c.opts, limit),
    );
    const state = takeUpload(runner, r.state);
    const owner = takeUpload(runner, r.owner);
    expect(firstDiff(new Uint32Array(state.slice().buffer), new Uint32Array(twin.state.buffer))).toBe('equal');
    expect(firstDiff(new Uint32Array(owner.slice().buffer), twin.owner)).toBe('equal');
    if (limit !== undefined) expect(r.slabs).toBeGreaterThan(1);
  });
});
