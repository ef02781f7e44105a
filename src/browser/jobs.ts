/**
 * Jobs the headless page runs for Node. Each fetches its inputs from the local server, runs on
 * the page's WebGPU device and returns JSON-sized results.
 */
import { acquireGpu, type GpuContext } from '../host/device';
import { GpuBackend } from '../host/gpu-backend';
import { type GpuVolume, uploadLabels } from '../host/gpu-volume';
import { fatStatsGpu } from '../kernels/fat-stats';
import type { AdapterReport, FatStatsCall, FatStatsReply } from './protocol';

let context: Promise<GpuContext> | null = null;

export function gpu(): Promise<GpuContext> {
  if (!context) {
    context = acquireGpu();
    context.catch(() => {
      context = null;
    });
  }
  return context;
}

export async function fetchBlob(id: string): Promise<ArrayBuffer> {
  const res = await fetch(`blob/${encodeURIComponent(id)}`);
  if (!res.ok) throw new Error(`blob ${id}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

export async function adapterReport(): Promise<AdapterReport> {
  const ctx = await gpu();
  const limits: Record<string, number> = {};
  for (const k of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage',
  ] as const) {
    limits[k] = ctx.device.limits[k];
  }
  return { adapter: ctx.adapter, limits, features: [...ctx.device.features], hostCores: ctx.hostCores };
}

export async function fatStats(args: FatStatsCall): Promise<FatStatsReply> {
  const ctx = await gpu();
  const hu = new Int16Array(await fetchBlob(args.huBlob));
  const labels = new Uint8Array(await fetchBlob(args.labelsBlob));
  // A backend per call, sharing the page's device: the test's small binding limit stays local.
  const backend = new GpuBackend(ctx, { maxBindingBytes: args.maxBindingBytes });
  let labelVolume: GpuVolume | null = null;
  try {
    const t0 = performance.now();
    const huVolume = backend.huVolume(args.dims, hu);
    labelVolume = uploadLabels(ctx, args.dims, labels, huVolume.slabs);
    await ctx.device.queue.onSubmittedWorkDone();
    const uploadMs = performance.now() - t0;
    // Timed: dispatch + read-back of the histograms, inputs already resident (as in a measurement).
    const timesMs: number[] = [];
    let result = null;
    for (let r = 0; r < Math.max(1, args.repeats ?? 1); r++) {
      const t = performance.now();
      result = await fatStatsGpu(ctx, huVolume, labelVolume, {
        maxLabel: args.maxLabel,
        window: args.window,
        ...(args.variant ? { variant: args.variant } : {}),
      });
      timesMs.push(performance.now() - t);
    }
    if (!result) throw new Error('no result');
    return {
      voxels: Array.from(result.voxels),
      histogram: Array.from(result.histogram),
      slabs: huVolume.slabs.length,
      timesMs,
      uploadMs,
    };
  } finally {
    labelVolume?.destroy();
    backend.dispose();
  }
}
