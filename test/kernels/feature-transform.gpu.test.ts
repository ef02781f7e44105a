/** The feature transform on the real WGSL (headless Chromium) vs its CPU twin, site for site. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureInitFromMask, featureTransformCpu } from '../../src/kernels/feature-transform/feature-transform.cpu';
import type { PageRunner } from '../../src/platform/node/chromium';
import type { Vec3 } from '../../src/volume/geometry';
import { firstDiff, ftGpu } from '../harness/distance-calls';
import { randomMask } from '../harness/shell-fixtures';
import { startGpuRunner } from '../helpers/gpu-runner';

let runner: PageRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

const ANISO: Vec3 = [0.35, 0.35, 0.8];

describe('feature transform (WGSL) vs its CPU twin', () => {
  it('feature transform: identical sites from a mask and from its complement', async () => {
    const dims: Vec3 = [21, 17, 13];
    const n = 21 * 17 * 13;
    const mask = randomMask(n, 0.02, 26);
    const cpu = featureTransformCpu(dims, ANISO, featureInitFromMask(mask));
    expect(firstDiff(await ftGpu(runner, dims, ANISO, { mask }), cpu)).toBe('equal');
    const cpuComplement = featureTransformCpu(dims, ANISO, featureInitFromMask(mask, true));
    expect(firstDiff(await ftGpu(runner, dims, ANISO, { mask, invert: true }), cpuComplement)).toBe('equal');
  });
});
