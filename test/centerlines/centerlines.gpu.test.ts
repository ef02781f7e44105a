/**
 * Centerlines derived with the EDT kernel on WebGPU (the page's device, headless Chromium) equal,
 * number for number, those derived with its CPU twin: the GPU and CPU backends give the same
 * centerlines, from a mask and from traces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { deriveCenterlines } from '../../src/centerlines/derive';
import { makePhantom } from '../../src/phantom/generate';
import type { PageRunner } from '../../src/platform/node/chromium';
import { centerlinesInChromium } from '../../src/platform/node/measure-chromium';
import type { Vec3 } from '../../src/volume/geometry';
import { startGpuRunner } from '../helpers/gpu-runner';

let runner: PageRunner;

beforeAll(async () => {
  runner = (await startGpuRunner()).runner;
});
afterAll(async () => {
  await runner?.close();
});

const p = makePhantom({
  tree: { branchesFrom: 'ostium', branches: 2 },
  aorticSinuses: true,
  dims: [128, 128, 128],
  spacing: [0.6, 0.6, 0.6],
  noiseSd: 10,
  seed: 2,
});
const cpu = new CpuMeasureBackend('node');
const cpuEdt = (d: Vec3, s: Vec3, m: Uint8Array) => cpu.edt(d, s, m);

describe('centerlines on WebGPU = on the CPU', () => {
  it('from a coronary mask and an aorta mask', async () => {
    const req = { coronaryMask: p.coronaryMask, aorta: p.aorta };
    const onCpu = await deriveCenterlines(p.ct, req, cpuEdt);
    const onGpu = await centerlinesInChromium(runner, p.ct, req);
    expect(onGpu.vessels.map((v) => v.name)).toEqual(onCpu.vessels.map((v) => v.name));
    expect(onGpu.vessels).toEqual(onCpu.vessels);
    expect(onGpu.ostia).toEqual(onCpu.ostia);
    expect(onGpu.warnings).toEqual(onCpu.warnings);
  });

  it('traced on the CT from clicks', async () => {
    const rca = p.vessels.vessels.find((v) => v.name === 'RCA');
    if (!rca) throw new Error('no RCA');
    const clicks = [0, Math.floor(rca.points.length / 2), rca.points.length - 1].map((i) => rca.points[i] as Vec3);
    const req = { trace: [{ name: 'RCA', points: clicks }] };
    const onCpu = await deriveCenterlines(p.ct, req, cpuEdt);
    const onGpu = await centerlinesInChromium(runner, p.ct, req);
    expect(onGpu.vessels).toEqual(onCpu.vessels);
  });
});
