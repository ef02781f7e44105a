/**
 * End-to-end benchmark of `measure` on a phantom: WebGPU in headless Chromium vs the CPU
 * reference, same inputs, same run; also checks both against the phantom's truth.
 *
 *   npx tsx bench/measure.ts [--dims 512x512x300] [--spacing 0.4x0.4x0.5] [--repeats 3]
 */
import { parseArgs } from 'node:util';
import { CpuMeasureBackend } from '../src/backends/cpu/backend';
import { measure } from '../src/measure/measure';
import type { Report } from '../src/measure/report-types';
import { makePhantom } from '../src/phantom';
import { ChromiumRunner } from '../src/platform/node/chromium';
import { measureInChromium } from '../src/platform/node/measure-chromium';
import { reportDiff } from '../test/helpers/report-diff';
import { median, parseDims } from './util';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '512x512x300' },
    spacing: { type: 'string', default: '0.4x0.4x0.5' },
    repeats: { type: 'string', default: '3' },
    noise: { type: 'string', default: '15' },
  },
});
const dims = parseDims(values.dims);
const spacing = values.spacing.split('x').map(Number) as [number, number, number];
const repeats = Number(values.repeats);

let t = performance.now();
const phantom = makePhantom({ dims, spacing, noiseSd: Number(values.noise), seed: 7 });
const phantomMs = performance.now() - t;
const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };

t = performance.now();
const runner = await ChromiumRunner.start();
const startMs = performance.now() - t;
const gpuWall: number[] = [];
const cpuWall: number[] = [];
let gpu: Report | null = null;
let cpu: Report | null = null;
try {
  for (let r = 0; r < repeats; r++) {
    t = performance.now();
    gpu = await measureInChromium(runner, input);
    gpuWall.push(performance.now() - t);
  }
} finally {
  await runner.close();
}
for (let r = 0; r < Math.min(repeats, 2); r++) {
  t = performance.now();
  cpu = await measure(input, new CpuMeasureBackend());
  cpuWall.push(performance.now() - t);
}
if (!gpu || !cpu || !phantom.truth) throw new Error('no result');
const round = (x: number) => Math.round(x);
console.log(
  JSON.stringify(
    {
      bench: 'measure',
      adapter: gpu.backend.adapter,
      dims,
      spacing,
      voxels: dims[0] * dims[1] * dims[2],
      phantomAndTruthMs: round(phantomMs),
      chromiumStartMs: round(startMs),
      gpuWallMs: gpuWall.map(round),
      gpuMedianMs: round(median(gpuWall)),
      gpuInPageTimingsMs: Object.fromEntries(Object.entries(gpu.timingsMs).map(([k, v]) => [k, round(v)])),
      cpuWallMs: cpuWall.map(round),
      cpuMedianMs: round(median(cpuWall)),
      gpuEqualsCpu: reportDiff(gpu, cpu, 1e-9),
      gpuVsTruth: reportDiff(gpu, phantom.truth),
    },
    null,
    2,
  ),
);
