/**
 * The shell-counts CPU twin (the fat statistics of shell-labels' layers, counted in place) against
 * the float64 backend: once the voxels it leaves undecided are settled in float64, its VOI, ring
 * and lesion histograms are those of pericoronaryF64, label for label and bin for bin — through
 * slabs and chunks, tie layers and lesions.
 */
import { describe, expect, it } from 'vitest';
import { pericoronaryF64 } from '../../src/backends/cpu/pericoronary';
import { shellCountsCpu } from '../../src/kernels/shell-counts/shell-counts.cpu';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import type { PreparedLesion, PreparedVessel, ShellOptions } from '../../src/measure/pericoronary-types';
import { buildCandidates } from '../../src/shells/candidates';
import { ExactShells } from '../../src/shells/exact';
import { liveLayout } from '../../src/shells/live-cells';
import { cropHu, planShells } from '../../src/shells/plan';
import { settleInto } from '../../src/shells/result';
import { shellTables } from '../../src/shells/tables';
import { type Int16Ct, OPTS, stemTree } from '../harness/shell-fixtures';
import { curvedCase } from '../harness/shell-case';

async function expectCountsMatch(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  slices = Infinity,
  cells = Infinity,
): Promise<{ undecided: number; voiVoxels: number }> {
  const plan = planShells(ct, vessels, lesions, opts);
  const cands = buildCandidates(plan);
  const tables = shellTables(plan);
  const cz = plan.cropDims[2];
  const step = Math.min(cz, slices);
  const slabs = Array.from({ length: Math.ceil(cz / step) }, (_, n) => ({
    z0: n * step,
    z1: Math.min(cz, (n + 1) * step),
  }));
  const st = shellNearestCpu(plan, cands, tables, liveLayout(cands, plan.cropDims, slabs, cells));
  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  const c = shellCountsCpu(plan, st, tables, null, hu, opts.window);
  const lesionsH = plan.lesions.length > 0 ? c.lesions : null;
  settleInto(new ExactShells(plan, cands), c.undecided, hu, null, { voi: c.voi, rings: c.rings, lesions: lesionsH });
  const f64 = await pericoronaryF64(ct, vessels, lesions, opts);
  expect(c.voi).toEqual(f64.voi);
  expect(c.rings).toEqual(f64.rings);
  expect(lesionsH).toEqual(f64.lesions);
  return { undecided: c.undecided.length, voiVoxels: c.voi.voxels.reduce((a, b) => a + b, 0) };
}

describe('shell-counts CPU twin + float64 settling vs the float64 backend', () => {
  it('two curved vessels, overlapping lesions, wall gap, oblique grid; whole and in slabs and chunks', async () => {
    const { ct, vessels, lesions, opts } = curvedCase();
    const whole = await expectCountsMatch(ct, vessels, lesions, opts);
    expect(whole.voiVoxels).toBeGreaterThan(500);
    expect(whole.undecided).toBeGreaterThan(0);
    expect(await expectCountsMatch(ct, vessels, lesions, opts, 3, 5)).toEqual(whole);
  });

  it('a stem three vessels share (tie layers), lesions of two on it', async () => {
    const { ct, vessels, lesions } = stemTree([2, 0, 1]);
    const r = await expectCountsMatch(ct, vessels, lesions, { ...OPTS, wallGapMm: 0.3 });
    expect(r.voiVoxels).toBeGreaterThan(500);
  });
});
