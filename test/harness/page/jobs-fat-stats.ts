/** Test page job: the fat-statistics kernel alone, on volumes already resident (tests, benches). */
import { GpuBackend } from '../../../src/backends/webgpu/gpu-backend';
import { type GpuVolume, uploadLabels } from '../../../src/gpu/gpu-volume';
import { fatStatsGpu } from '../../../src/kernels/fat-stats/fat-stats';
import { fetchBlob, gpu } from '../../../src/platform/page/jobs';
import type { FatStatsCall, FatStatsReply } from './protocol-fat-stats';

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
