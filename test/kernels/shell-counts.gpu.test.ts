/**
 * shell-counts.wgsl on the real WGSL (headless Chromium on SwiftShader, or Dawn for Node), as the
 * WebGPU backend's pericoronary pass runs it when no label layers are asked for: after the float64
 * settling its histograms equal the float64 backend's, and the pass that writes layers
 * (shell-labels + fat-stats) leaves the same undecided voxels and the same histograms. Its CPU
 * twin is checked in shell-counts.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistogramsJson, PericoronaryReply } from '../harness/page/protocol-distance';
import { pericoronaryF64 } from '../../src/backends/cpu/pericoronary';
import type { PreparedLesion, PreparedVessel, ShellOptions } from '../../src/measure/pericoronary-types';
import type { PageRunner } from '../../src/platform/node/chromium';
import type { LabelHistograms } from '../../src/stats/label-stats';
import { startGpuRunner } from '../helpers/gpu-runner';
import { pericoronaryCall } from '../harness/distance-calls';
import { curvedCase } from '../harness/shell-case';
import { type Int16Ct, OPTS, stemTree } from '../harness/shell-fixtures';

let runner: PageRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

function histJson(h: LabelHistograms): HistogramsJson {
  return { maxLabel: h.maxLabel, voxels: Array.from(h.voxels), histogram: Array.from(h.histogram) };
}

async function expectCountsMatch(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  maxBindingBytes?: number,
): Promise<PericoronaryReply> {
  const base = pericoronaryCall(runner, ct, vessels, lesions, opts, maxBindingBytes);
  const counted = await runner.call<PericoronaryReply>('pericoronary', base);
  const layered = await runner.call<PericoronaryReply>('pericoronary', {
    ...pericoronaryCall(runner, ct, vessels, lesions, opts, maxBindingBytes),
    returnLayers: true,
  });
  const cpu = await pericoronaryF64(ct, vessels, lesions, opts);
  expect(counted.layers).toBeUndefined();
  // No label layer was written or counted: the counts came from shell_counts.
  expect(counted.timingsMs['stats']).toBeUndefined();
  expect(layered.timingsMs['stats']).toBeGreaterThanOrEqual(0);
  expect(counted.voi).toEqual(histJson(cpu.voi));
  expect(counted.rings).toEqual(histJson(cpu.rings));
  expect(counted.lesions).toEqual(cpu.lesions ? histJson(cpu.lesions) : null);
  expect(counted.diagnostics.undecided).toEqual(layered.diagnostics.undecided);
  expect(counted.diagnostics.work).toEqual(layered.diagnostics.work);
  expect(counted.voi).toEqual(layered.voi);
  expect(counted.rings).toEqual(layered.rings);
  return counted;
}

describe('shell counts (WGSL) vs the float64 backend and the layer pass', () => {
  it('two curved vessels, overlapping lesions, wall gap and calcium guard, oblique geometry', async () => {
    const { ct, vessels, lesions, opts } = curvedCase({ calciumGuardMm: 1.0 });
    const r = await expectCountsMatch(ct, vessels, lesions, opts);
    expect(r.voi.voxels.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    expect(r.lesions!.voxels.slice(1).every((n) => n > 0)).toBe(true);
  });

  it('the same through z-slabs and chunks: a binding limit too small for the crop cuts it', async () => {
    const { ct, vessels, lesions, opts } = curvedCase({ calciumGuardMm: 1.0 });
    const whole = await runner.call<PericoronaryReply>(
      'pericoronary',
      pericoronaryCall(runner, ct, vessels, lesions, opts),
    );
    const [cx, cy] = [whole.crop.hi[0] - whole.crop.lo[0], whole.crop.hi[1] - whole.crop.lo[1]];
    const cut = await expectCountsMatch(ct, vessels, lesions, opts, 11 * cx * cy * 4);
    expect(cut.diagnostics.slabs).toBeGreaterThan(1);
    expect(cut.voi).toEqual(whole.voi);
  });

  it('a stem three vessels share: every tie layer counted, in two orders', async () => {
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
    ]) {
      const { ct, vessels, lesions } = stemTree(order);
      await expectCountsMatch(ct, vessels, lesions, { ...OPTS, wallGapMm: 0.2 });
    }
  });
});
