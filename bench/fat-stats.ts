/**
 * Benchmark of the fused fat-statistics kernel: headless Chromium (WebGPU) vs the CPU reference,
 * same volume, same run. Prints adapter, volume size, medians and effective GB/s.
 *
 *   npx tsx bench/fat-stats.ts [--dims 512x512x300] [--labels 1] [--repeats 5]
 */
import { parseArgs } from 'node:util';
import type { AdapterReport } from '../src/platform/page/protocol';
import type { FatStatsCall, FatStatsReply } from '../test/harness/page/protocol-fat-stats';
import { fatStatsCpu } from '../src/kernels/fat-stats/fat-stats.cpu';
import { TEST_PAGE } from '../test/harness/page/build';
import { ChromiumRunner } from '../src/platform/node/chromium';
import { DEFAULT_FAT_WINDOW } from '../src/stats/fat-window';
import { median, parseDims, syntheticCt } from './util';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '512x512x300' },
    labels: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '5' },
    browser: { type: 'string' },
  },
});
const dims = parseDims(values.dims);
const maxLabel = Number(values.labels);
const repeats = Number(values.repeats);
const n = dims[0] * dims[1] * dims[2];
const { hu, labels } = syntheticCt(dims, maxLabel);
const bytes = n * 3; // int16 HU + u8 label read once per pass

const runner = await ChromiumRunner.start({
  page: TEST_PAGE,
  ...(values.browser ? { browserPath: values.browser } : {}),
});
try {
  const adapter = await runner.call<AdapterReport>('adapter');
  const call: FatStatsCall = {
    dims,
    huBlob: runner.putBlob(new Uint8Array(hu.buffer)),
    labelsBlob: runner.putBlob(labels),
    maxLabel,
    window: DEFAULT_FAT_WINDOW,
    repeats: repeats + 1,
  };
  const gpu = await runner.call<FatStatsReply>('fatStats', call);
  const gpuTimes = gpu.timesMs.slice(1); // the first includes pipeline compilation
  const cpuTimes: number[] = [];
  let cpuHist: Uint32Array | null = null;
  for (let r = 0; r < Math.min(repeats, 3); r++) {
    const t = performance.now();
    cpuHist = fatStatsCpu(hu, labels, maxLabel, DEFAULT_FAT_WINDOW).histogram;
    cpuTimes.push(performance.now() - t);
  }
  const equal = cpuHist !== null && cpuHist.every((v, i) => v === gpu.histogram[i]);
  const g = median(gpuTimes);
  const c = median(cpuTimes);
  console.log(
    JSON.stringify(
      {
        bench: 'fat_stats',
        adapter: adapter.adapter,
        hostCores: adapter.hostCores,
        dims,
        voxels: n,
        labels: maxLabel,
        slabs: gpu.slabs,
        uploadMs: round(gpu.uploadMs),
        gpuFirstMs: round(gpu.timesMs[0] ?? NaN),
        gpuMedianMs: round(g),
        gpuGBs: round(bytes / g / 1e6),
        cpuMedianMs: round(c),
        cpuGBs: round(bytes / c / 1e6),
        speedup: round(c / g),
        histogramsEqual: equal,
      },
      null,
      2,
    ),
  );
} finally {
  await runner.close();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
