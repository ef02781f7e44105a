/**
 * The public API without a GPU: the device check names the limit it refuses, REQUIRED_LIMITS fit
 * WebGPU's defaults and follow the kernels, the CPU engine equals the phantom truth, reports
 * progress and cancels with E_ABORTED, and bad input comes back as typed errors.
 */
import { describe, expect, it } from 'vitest';
import { REQUIRED_LIMITS, createEngine, readCt } from '../../src/api/index';
import { checkDeviceLimits } from '../../src/api/limits';
import { PerifatError } from '../../src/errors';
import { KERNELS } from '../../src/kernels/registry';
import { makePhantom } from '../../src/phantom';
import { reportDiff } from '../helpers/report-diff';

/** WebGPU's default limits (the spec's table) that perifat cares about. */
const DEFAULTS: Record<string, number> = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxBindGroups: 4,
  maxComputeWorkgroupStorageSize: 16384,
};

describe('REQUIRED_LIMITS and the device check', () => {
  it('fit the defaults, and follow the kernel that binds the most storage buffers', () => {
    for (const [k, v] of Object.entries(REQUIRED_LIMITS)) expect(v, k).toBeLessThanOrEqual(DEFAULTS[k] as number);
    const most = Math.max(...KERNELS.map((k) => Object.values(k.bindings).filter((b) => b.kind !== 'uniform').length));
    expect(REQUIRED_LIMITS['maxStorageBuffersPerShaderStage']).toBe(most);
  });

  it('refuses a device below a limit with E_GPU_LIMITS naming it', () => {
    const device = { limits: { ...DEFAULTS, maxStorageBuffersPerShaderStage: 4 } } as unknown as GPUDevice;
    let err: unknown;
    try {
      checkDeviceLimits(device);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PerifatError);
    expect((err as PerifatError).code).toBe('E_GPU_LIMITS');
    expect((err as PerifatError).message).toContain('maxStorageBuffersPerShaderStage');
    expect(() => checkDeviceLimits({ limits: DEFAULTS } as unknown as GPUDevice)).not.toThrow();
  });
});

describe('createEngine on the CPU', () => {
  const ph = makePhantom({ dims: [64, 64, 40], spacing: [0.6, 0.6, 0.9], noiseSd: 5, seed: 2 });
  const request = { ct: ph.ct, pericardium: ph.pericardium, vessels: ph.vessels };

  it('measures the phantom truth, with progress from 0 to 1', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    expect(engine.backend.api).toBe('cpu');
    const fractions: number[] = [];
    const report = await engine.measure(request, { kvp: 120, onProgress: (p) => fractions.push(p.fraction) });
    expect(reportDiff(report, ph.truth)).toEqual([]);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] as number))).toBe(true);
    engine.destroy();
  });

  it('cancels with E_ABORTED; auto without WebGPU runs the CPU', async () => {
    const engine = await createEngine();
    expect(engine.backend.api).toBe('cpu');
    const ac = new AbortController();
    const err = await engine
      .measure(request, { signal: ac.signal, onProgress: (p) => p.stage === 'pericoronary' && ac.abort() })
      .catch((e: unknown) => e);
    expect((err as PerifatError).code).toBe('E_ABORTED');
  });

  it('webgpu without WebGPU is a typed E_GPU_UNAVAILABLE; bad bytes a typed input error', async () => {
    const e1 = await createEngine({ backend: 'webgpu' }).catch((e: unknown) => e);
    expect((e1 as PerifatError).code).toBe('E_GPU_UNAVAILABLE');
    const e2 = await readCt(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), { name: 'broken.nii.gz' }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(PerifatError);
    expect((e2 as PerifatError).message).toMatch(/^broken\.nii\.gz: /);
  });
});
