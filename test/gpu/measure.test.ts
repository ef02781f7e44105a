/**
 * The whole measurement on a phantom: WebGPU in headless Chromium, the CPU reference and the
 * phantom's analytic truth must agree (counts exact, HU within 0.01).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { measure, measureDetailed } from '../../src/measure/measure';
import type { Report } from '../../src/measure/report-types';
import { computeTruth, makePhantom } from '../../src/phantom';
import type { PageRunner } from '../../src/platform/node/chromium';
import { measureInChromium, measureInChromiumDetailed } from '../../src/platform/node/measure-chromium';
import { GPU_RUNTIME, startGpuRunner } from '../helpers/gpu-runner';
import { reportDiff } from '../helpers/report-diff';

let runner: PageRunner;
beforeAll(async () => {
  runner = (await startGpuRunner()).runner;
});
afterAll(async () => {
  await runner?.close();
});

describe('measure on a phantom: GPU = CPU = truth', () => {
  const phantom = makePhantom({ dims: [112, 112, 80], spacing: [0.45, 0.45, 0.7], noiseSd: 12, seed: 3 });
  const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
  let gpu: Report;
  let cpu: Report;

  beforeAll(async () => {
    gpu = await measureInChromium(runner, input);
    cpu = await measure(input, new CpuMeasureBackend());
  });

  it('records its backend', () => {
    expect(gpu.backend.api).toBe('webgpu');
    expect(gpu.backend.runtime).toBe(GPU_RUNTIME);
    expect(gpu.backend.adapter?.architecture).toBeTruthy();
    expect(cpu.backend.api).toBe('cpu');
  });

  it('GPU equals the CPU reference', () => {
    expect(reportDiff(gpu, cpu, 1e-9)).toEqual([]);
  });

  it('equals the phantom truth (counts exactly, HU within 0.01)', () => {
    expect(reportDiff(gpu, phantom.truth, 0.01)).toEqual([]);
  });

  it('reports every vessel, 20 rings each, and the lesion', () => {
    expect(gpu.vessels.map((v) => v.name)).toEqual(['RCA', 'LAD', 'LCx']);
    for (const v of gpu.vessels) {
      expect(v.rings).toHaveLength(20);
      expect(v.voiVoxels).toBeGreaterThan(0);
      expect(v.faiHu).not.toBeNull();
    }
    expect(gpu.lesions).toHaveLength(1);
    expect(gpu.eat?.fatVoxels).toBeGreaterThan(0);
  });
});

describe('measure options and edge cases, GPU vs truth', () => {
  it('wall gap, calcium guard and 100 kVp conversion', async () => {
    const phantom = makePhantom({
      dims: [96, 96, 64],
      spacing: [0.5, 0.5, 0.8],
      calcium: true,
      kvp: 100,
    });
    const options = { wallGapMm: 0.5, calciumGuardMm: 1 };
    const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
    const gpu = await measureInChromium(runner, input, options);
    const truth = computeTruth(phantom.ct, phantom.pericardium, phantom.vessels, options);
    expect(reportDiff(gpu, truth, 0.01)).toEqual([]);
    expect(gpu.input.kvp).toBe(100);
    const lad = gpu.vessels.find((v) => v.name === 'LAD');
    expect(lad?.faiHu120).toBeCloseTo((lad?.faiHu as number) / 1.08, 9);
  });

  it('a vessel shorter than its segment and one leaving the volume', async () => {
    const phantom = makePhantom({
      dims: [96, 96, 64],
      spacing: [0.5, 0.5, 0.8],
      shortLcx: true,
      rcaLeavesVolume: true,
    });
    const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
    const gpu = await measureInChromium(runner, input);
    expect(reportDiff(gpu, phantom.truth, 0.01)).toEqual([]);
    expect(gpu.warnings.some((w) => w.startsWith('LCx'))).toBe(true);
  });

  it('tortuous traced-like trees: a stem shared from the ostium, and branches from the bifurcation', async () => {
    for (const tree of [
      { branchesFrom: 'ostium', branches: 3 },
      { branchesFrom: 'bifurcation', branches: 2 },
    ] as const) {
      const phantom = makePhantom({ dims: [112, 112, 72], spacing: [0.45, 0.45, 0.6], noiseSd: 10, seed: 5, tree });
      const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
      const gpu = await measureInChromium(runner, input, { calciumGuardMm: 0.8 });
      const cpu = await measure(input, new CpuMeasureBackend(), { calciumGuardMm: 0.8 });
      const truth = computeTruth(phantom.ct, phantom.pericardium, phantom.vessels, { calciumGuardMm: 0.8 });
      expect(reportDiff(gpu, truth, 0.01)).toEqual([]);
      expect(reportDiff(cpu, truth, 0.01)).toEqual([]);
      expect(gpu.vessels.map((v) => v.name)).toEqual(
        tree.branches === 3 ? ['RCA', 'LAD', 'LCx', 'RI'] : ['RCA', 'LAD', 'LCx'],
      );
      expect(gpu.vessels.every((v) => v.voiVoxels > 0)).toBe(true);
      // The work of the exact path is reported: few voxels left to float64 on the GPU, none on the CPU.
      // Branches given from the bifurcation tie exactly behind it (both nearest at their common
      // first point, in different parts): those few percent wait for the settling.
      const d = gpu.diagnostics?.pericoronary;
      expect(d?.method).toBe('f32+float64');
      expect(d?.undecided?.total).toBeLessThan((d?.cropVoxels ?? 0) * (tree.branchesFrom === 'ostium' ? 0.01 : 0.03));
      expect(cpu.diagnostics?.pericoronary?.method).toBe('float64');
      expect(d?.parts).toBe(tree.branchesFrom === 'ostium' ? 5 : 3);
    }
  });

  it('no pericardium mask → eat null; no vessels → empty lists', async () => {
    const phantom = makePhantom({ dims: [64, 64, 40] });
    const gpu = await measureInChromium(runner, { ct: phantom.ct, pericardium: null, vessels: null });
    expect(gpu.eat).toBeNull();
    expect(gpu.vessels).toEqual([]);
    expect(gpu.lesions).toEqual([]);
  });
});

describe('label layers read back from the GPU', () => {
  it('equal the CPU layers voxel for voxel and hold the voxels the report counted', async () => {
    const phantom = makePhantom({ dims: [72, 72, 48], spacing: [0.55, 0.55, 0.8], seed: 4 });
    const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
    const gpu = await measureInChromiumDetailed(runner, input, {}, { wantLayers: true });
    const cpu = await measureDetailed(input, new CpuMeasureBackend(), {}, { wantLayers: true });
    expect(gpu.layers).not.toBeNull();
    expect(gpu.layers?.crop).toEqual(cpu.layers?.crop);
    expect(Array.from(gpu.layers?.layers.voi ?? [])).toEqual(Array.from(cpu.layers?.layers.voi ?? []));
    expect(Array.from(gpu.layers?.layers.rings ?? [])).toEqual(Array.from(cpu.layers?.layers.rings ?? []));
    gpu.report.vessels.forEach((v, i) =>
      expect(gpu.layers?.layers.voi.filter((l) => l === 1 + i).length).toBe(v.voiVoxels),
    );
  });
});

describe('measure through z-slabs', () => {
  it('gives the same report when the CT and the shells are cut into slabs by a small binding limit', async () => {
    const phantom = makePhantom({
      dims: [64, 64, 40],
      spacing: [0.6, 0.6, 0.9],
      noiseSd: 8,
      seed: 9,
      calcium: true,
      tree: { branchesFrom: 'ostium', branches: 2 },
    });
    const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
    const options = { calciumGuardMm: 1, wallGapMm: 0.3 };
    const whole = await measureInChromium(runner, input, options);
    // 64×64 int16 = 8 KiB per CT slice and at most 64 KiB of shell state per crop slice: 320 KiB
    // bindings cut the CT into 2 slabs and the crop into slabs of at most 5 slices, each guard EDT
    // region (5 slices and a halo of 4 on each side, 4 bytes a voxel) fitting too.
    const slabbed = await measureInChromium(runner, input, options, 320 * 1024);
    const truth = computeTruth(phantom.ct, phantom.pericardium, phantom.vessels, options);
    expect(reportDiff(slabbed, whole, 1e-9)).toEqual([]);
    expect(reportDiff(slabbed, truth, 0.01)).toEqual([]);
    expect(slabbed.eat?.fatVoxels).toBeGreaterThan(0);
    expect(slabbed.vessels.every((v) => v.voiVoxels > 0)).toBe(true);
    expect(whole.diagnostics?.pericoronary?.slabs).toBe(1);
    expect(slabbed.diagnostics?.pericoronary?.slabs).toBeGreaterThan(3);
  });
});
