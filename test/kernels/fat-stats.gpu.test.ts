/**
 * The fused fat-statistics kernel on the real WGSL (headless Chromium) against the CPU reference.
 */
import { directFatSums } from '../oracles/fat-sums';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FatStatsCall, FatStatsReply } from '../harness/page/protocol-fat-stats';
import { fatStatsCpu } from '../../src/kernels/fat-stats/fat-stats.cpu';
import type { PageRunner } from '../../src/platform/node/chromium';
import { DEFAULT_FAT_WINDOW, type FatWindow } from '../../src/stats/fat-window';
import { type LabelHistograms, summarizeLabel } from '../../src/stats/label-stats';
import { bytesOf, startGpuRunner } from '../helpers/gpu-runner';
import { randomHu, randomLabels } from '../helpers/random';

let runner: PageRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

async function gpuStats(
  dims: [number, number, number],
  hu: Int16Array,
  labels: Uint8Array,
  maxLabel: number,
  window: FatWindow = DEFAULT_FAT_WINDOW,
  maxBindingBytes?: number,
): Promise<LabelHistograms & { slabs: number }> {
  // Both kernels: workgroup-memory histograms (hardware adapters) and storage slices (software).
  const replies: FatStatsReply[] = [];
  for (const variant of ['shared', 'private'] as const) {
    const call: FatStatsCall = {
      dims,
      huBlob: runner.putBlob(bytesOf(hu)),
      labelsBlob: runner.putBlob(bytesOf(labels)),
      maxLabel,
      window: { lo: window.lo, hi: window.hi },
      variant,
      ...(maxBindingBytes !== undefined ? { maxBindingBytes } : {}),
    };
    replies.push(await runner.call<FatStatsReply>('fatStats', call));
  }
  const [r, other] = replies as [FatStatsReply, FatStatsReply];
  expect(other.voxels).toEqual(r.voxels);
  expect(other.histogram).toEqual(r.histogram);
  return {
    window,
    maxLabel,
    voxels: Float64Array.from(r.voxels),
    histogram: Uint32Array.from(r.histogram),
    slabs: r.slabs,
  };
}

function expectMatchesCpu(
  gpu: LabelHistograms,
  hu: Int16Array,
  labels: Uint8Array,
  maxLabel: number,
  window: FatWindow = DEFAULT_FAT_WINDOW,
): void {
  const cpu = fatStatsCpu(hu, labels, maxLabel, window);
  expect(Array.from(gpu.voxels)).toEqual(Array.from(cpu.voxels));
  expect(gpu.histogram.length).toBe(cpu.histogram.length);
  // Counts must be identical bin for bin.
  let mismatches = 0;
  for (let i = 0; i < cpu.histogram.length; i++) if (gpu.histogram[i] !== cpu.histogram[i]) mismatches++;
  expect(mismatches).toBe(0);
  for (let l = 1; l <= maxLabel; l++) {
    const g = summarizeLabel(gpu, l);
    const c = directFatSums(hu, labels, maxLabel, window);
    expect(g.fatVoxels).toBe(c.fatVoxels[l]);
    // Sums derived on the host from GPU histograms vs sums accumulated voxel by voxel on the CPU.
    expect(g.sumHu).toBe(c.sumHu[l]);
    expect(g.sumSqHu).toBe(c.sumSqHu[l]);
    if (g.fatVoxels > 0) {
      expect(g.minHu).toBe(c.minHu[l]);
      expect(g.maxHu).toBe(c.maxHu[l]);
      const mean = (c.sumHu[l] as number) / (c.fatVoxels[l] as number);
      expect(Math.abs((g.meanHu as number) - mean)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(mean)));
    } else {
      expect(g.meanHu).toBeNull();
      expect(g.minHu).toBeNull();
    }
  }
}

describe('fat-stats.wgsl vs its CPU twin', () => {
  it('random HU and 64 labels on odd dims that do not divide the workgroup size', async () => {
    const dims: [number, number, number] = [37, 29, 23];
    const n = dims[0] * dims[1] * dims[2];
    const hu = randomHu(n, 1);
    const labels = randomLabels(n, 64, 2);
    const gpu = await gpuStats(dims, hu, labels, 64);
    expectMatchesCpu(gpu, hu, labels, 64);
  });

  it('counts HU exactly at the window edges −190 and −30 and excludes −191 and −29', async () => {
    const dims: [number, number, number] = [5, 3, 1];
    const hu = Int16Array.from([-191, -190, -189, -31, -30, -29, -190, -30, 0, -100, -190, -30, 32767, -32768, -110]);
    const labels = Uint8Array.from([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 3, 3, 3]);
    const gpu = await gpuStats(dims, hu, labels, 3);
    expectMatchesCpu(gpu, hu, labels, 3);
    const l1 = summarizeLabel(gpu, 1);
    expect(l1.fatVoxels).toBe(4);
    expect(l1.minHu).toBe(-190);
    expect(l1.maxHu).toBe(-30);
    expect(l1.voxels).toBe(6);
    // Label 0 is ignored: the −190/−30 voxels there count nowhere.
    expect(summarizeLabel(gpu, 2).fatVoxels).toBe(3);
    expect(summarizeLabel(gpu, 3).fatVoxels).toBe(1);
  });

  it('returns zeros and null statistics for empty labels', async () => {
    const dims: [number, number, number] = [9, 7, 3];
    const n = 9 * 7 * 3;
    const hu = randomHu(n, 3);
    const labels = new Uint8Array(n).map((_, i) => (i % 2 === 0 ? 2 : 0));
    const gpu = await gpuStats(dims, hu, labels, 5);
    expectMatchesCpu(gpu, hu, labels, 5);
    for (const l of [1, 3, 4, 5]) {
      const s = summarizeLabel(gpu, l);
      expect(s.voxels).toBe(0);
      expect(s.meanHu).toBeNull();
      expect(s.medianHu).toBeNull();
      expect(s.sdHu).toBeNull();
    }
  });

  it('gives the same answer through the slab path under a small artificial binding limit', async () => {
    const dims: [number, number, number] = [31, 17, 41];
    const n = dims[0] * dims[1] * dims[2];
    const hu = randomHu(n, 4);
    const labels = randomLabels(n, 7, 5, 0.1);
    // 31×17 = 527 voxels per slice (odd): 1,100 bytes fits one slice per slab → 41 slabs.
    const slabbed = await gpuStats(dims, hu, labels, 7, DEFAULT_FAT_WINDOW, 1100);
    expect(slabbed.slabs).toBe(41);
    expectMatchesCpu(slabbed, hu, labels, 7);
    const whole = await gpuStats(dims, hu, labels, 7);
    expect(whole.slabs).toBe(1);
    expect(Array.from(whole.histogram)).toEqual(Array.from(slabbed.histogram));
  });

  it('handles a wide custom window that needs several label passes', async () => {
    const dims: [number, number, number] = [16, 16, 8];
    const n = 16 * 16 * 8;
    const hu = randomHu(n, 6);
    const labels = randomLabels(n, 20, 7);
    const window = { lo: -1000, hi: 1000 };
    const gpu = await gpuStats(dims, hu, labels, 20, window);
    expectMatchesCpu(gpu, hu, labels, 20, window);
  });

  it('processes a 256×256×64 random volume with one label exactly', async () => {
    const dims: [number, number, number] = [256, 256, 64];
    const n = dims[0] * dims[1] * dims[2];
    const hu = randomHu(n, 8);
    const labels = randomLabels(n, 1, 9, 0.5);
    const gpu = await gpuStats(dims, hu, labels, 1);
    expectMatchesCpu(gpu, hu, labels, 1);
  });
});
