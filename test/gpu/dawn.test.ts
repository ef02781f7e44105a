/**
 * The second WebGPU implementation: Dawn in this Node process (npm `webgpu`, `--runtime node`), on
 * Mesa's llvmpipe here. The same kernels must give the CPU reference's and the phantom's counts
 * exactly — on the classic phantom, on a tree whose branches share a stem (exact ownership ties),
 * and for derived centerlines — and the report must say which implementation and adapter ran.
 * Fails loudly when Dawn finds no adapter (CI installs the Vulkan driver); never skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { deriveCenterlines } from '../../src/centerlines/derive';
import { measure } from '../../src/measure/measure';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom';
import { MeasureSession } from '../../src/platform/node/session';
import type { Vec3 } from '../../src/volume/geometry';
import { reportDiff } from '../helpers/report-diff';

let session: MeasureSession;
beforeAll(async () => {
  session = await MeasureSession.open({ backend: 'webgpu', runtime: 'node' });
}, 60_000);
afterAll(async () => {
  await session?.close();
});
const cpu = new CpuMeasureBackend('node');

describe('Dawn in Node = the CPU reference = truth', () => {
  const phantom = makePhantom({ dims: [112, 112, 80], spacing: [0.45, 0.45, 0.7], noiseSd: 12, seed: 3 });
  const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
  let dawn: Report;
  let ref: Report;
  beforeAll(async () => {
    dawn = (await session.measure(input, {})).report;
    ref = await measure(input, cpu);
  }, 300_000);

  it('records the implementation and its adapter', () => {
    expect(session.api).toBe('webgpu');
    expect(dawn.backend.api).toBe('webgpu');
    expect(dawn.backend.runtime).toBe('node');
    // This machine has no GPU: Dawn's adapter is a software one, and the report says so.
    expect(dawn.backend.adapter?.isFallback).toBe(true);
    expect(dawn.backend.adapter?.description).toMatch(/llvmpipe|swiftshader/i);
  });

  it('equals the CPU reference and the phantom truth', () => {
    expect(reportDiff(dawn, ref, 1e-9)).toEqual([]);
    expect(reportDiff(dawn, phantom.truth, 0.01)).toEqual([]);
    expect(dawn.lesions).toHaveLength(1);
  });

  it('counts a shared stem for every tied vessel, as the CPU does', async () => {
    const tree = makePhantom({
      tree: { branchesFrom: 'bifurcation', branches: 2 },
      dims: [96, 96, 80],
      spacing: [0.6, 0.6, 0.6],
      noiseSd: 8,
      seed: 5,
    });
    const t = { ct: tree.ct, pericardium: tree.pericardium, vessels: tree.vessels };
    const onDawn = (await session.measure(t, {})).report;
    const onCpu = await measure(t, cpu);
    expect(reportDiff(onDawn, onCpu, 1e-9)).toEqual([]);
    expect(onDawn.diagnostics?.pericoronary).toBeDefined();
  }, 300_000);
});

describe('centerlines with the EDT kernel on Dawn', () => {
  it('derives from a coronary mask exactly what the CPU twin derives', async () => {
    const p = makePhantom({
      tree: { branchesFrom: 'ostium', branches: 2 },
      aorticSinuses: true,
      dims: [96, 96, 96],
      spacing: [0.7, 0.7, 0.7],
      noiseSd: 10,
      seed: 2,
    });
    const req = { coronaryMask: p.coronaryMask, aorta: p.aorta };
    const onCpu = await deriveCenterlines(p.ct, req, (d: Vec3, s: Vec3, m: Uint8Array) => cpu.edt(d, s, m));
    const onDawn = await session.centerlines(p.ct, req);
    expect(onDawn.vessels.length).toBeGreaterThan(1);
    // One JavaScript engine on both sides: the same EDT bits give the same centerlines, bit for bit.
    expect(onDawn.vessels).toEqual(onCpu.vessels);
    expect(onDawn.ostia).toEqual(onCpu.ostia);
  }, 300_000);
});

describe('auto on Dawn', () => {
  it('does not take a software adapter for a GPU', async () => {
    const auto = await MeasureSession.open({ backend: 'auto', runtime: 'node' });
    try {
      expect(auto.api).toBe('cpu');
    } finally {
      await auto.close();
    }
  });
});
