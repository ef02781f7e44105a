/**
 * GPU errors surfaced as typed errors, and the public engine's lifecycle on an app's device, on
 * the tests' page (headless Chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageRunner } from '../../src/platform/node/chromium';
import type { EngineLifecycle } from '../harness/page/jobs-diagnostics';
import { startGpuRunner } from '../helpers/gpu-runner';

let runner: PageRunner;

beforeAll(async () => {
  runner = (await startGpuRunner()).runner;
});
afterAll(async () => {
  await runner?.close();
});

describe('GPU errors are surfaced as typed errors', () => {
  it('validation → E_GPU_VALIDATION, bad WGSL → E_GPU_SHADER, lost device → E_GPU_DEVICE_LOST', async () => {
    const codes = await runner.call<Record<string, string>>('errorSurfacing');
    expect(codes).toEqual({
      validation: 'E_GPU_VALIDATION',
      shader: 'E_GPU_SHADER',
      lost: 'E_GPU_DEVICE_LOST',
      // GpuBackend.dispose() leaves a handed-in device alone.
      handedContext: 'no error',
    });
  });
});

describe('kernels compiled ahead of the first measurement', () => {
  it("the page's device and an engine's start with the EAT's fat statistics and the adapter's shell_nearest", async () => {
    const { page, engine } = await runner.call<{ page: string[]; engine: string[] }>('warmedKernels');
    for (const names of [page, engine]) {
      expect(names.some((n) => n === 'fat_stats' || n === 'fat_stats_private')).toBe(true);
      expect(names.some((n) => n === 'shell_nearest' || n === 'shell_nearest_voxel')).toBe(true);
    }
    // An engine's device holds nothing else yet: no measurement has run on it.
    expect(engine).toHaveLength(2);
  });
});

describe('the public engine on an app device', () => {
  it('a measurement cancelled mid-stage ends in E_ABORTED within 100 ms and leaks no GPU buffer; progress within the GPU stages; destroy() leaves the device working', async () => {
    const r = await runner.call<EngineLifecycle>('engineLifecycle');
    expect(r.abortCode).toBe('E_ABORTED');
    expect(r.abortMs).toBeLessThan(100);
    expect(r.created).toBeGreaterThan(10);
    expect(r.aliveAfterAbort).toBe(0);
    expect(r.aliveAfterMeasure).toBe(0);
    expect(r.deviceUsableAfterDestroy).toBe('no error');
    expect(r.stages).toContain('pericoronary.shells');
    // Nothing is reported after the abort, though the cancelled stage drains in the background.
    expect(r.stages.filter((st) => st === 'pericoronary.shells')).toHaveLength(1);
    expect(r.stages.at(-1)).toBe('pericoronary.shells');
    // Progress from inside the GPU stages: a step as each chunk's command buffer finishes.
    for (const fractions of [r.shellsProgress, r.labelsProgress]) {
      expect(fractions.length).toBeGreaterThanOrEqual(3);
      expect(fractions.every((f, i) => i === 0 || f > (fractions[i - 1] as number))).toBe(true);
    }
  });
});
