/**
 * The shell-nearest CPU twin (f32) against the float64 definition: wherever it does not flag a
 * voxel undecided, its lumen flag and owner are the float64 ones, so the GPU (bit-identical to the
 * twin, shell-nearest.gpu.test.ts) never decides a voxel wrongly; and it leaves few undecided.
 */
import { describe, expect, it } from 'vitest';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import { LUMEN_BIT, NO_OWNER, UNDECIDED_BIT } from '../../src/shells/constants';
import { ExactShells } from '../../src/shells/exact';
import { liveLayout } from '../../src/shells/live-cells';
import { plannedCurvedCase } from '../harness/shell-case';

describe('shell-nearest CPU twin vs the float64 definition', () => {
  it('decided voxels: lumen and owner as in float64; undecided ones are rare', () => {
    const { plan, cands, tables } = plannedCurvedCase();
    const twin = shellNearestCpu(
      plan,
      cands,
      tables,
      liveLayout(cands, plan.cropDims, [{ z0: 0, z1: plan.cropDims[2] }], Infinity),
    );
    const ex = new ExactShells(plan, cands);
    const [cx, cy] = plan.cropDims;
    let decided = 0;
    let owned = 0;
    let wrongLumen = 0;
    let wrongOwner = 0;
    let undecided = 0;
    for (let e = 0; e < twin.owner.length; e++) {
      const n = twin.voxel[e] as number;
      if (n < 0) continue;
      const word = twin.owner[e] as number;
      if ((word & UNDECIDED_BIT) !== 0) {
        undecided++;
        continue;
      }
      decided++;
      ex.locate(n % cx, Math.floor(n / cx) % cy, Math.floor(n / (cx * cy)));
      let best = 0;
      for (let v = 1; v < ex.w.length; v++) if ((ex.w[v] as number) < (ex.w[best] as number)) best = v;
      const inLumen = (ex.w[best] as number) <= 0;
      if (inLumen !== ((word & LUMEN_BIT) !== 0)) wrongLumen++;
      const o = word & 255;
      if (!inLumen && o !== NO_OWNER && Number.isFinite(ex.w[best])) {
        owned++;
        if (o !== best) wrongOwner++;
      }
    }
    expect(wrongLumen).toBe(0);
    expect(wrongOwner).toBe(0);
    expect(owned).toBeGreaterThan(1000);
    expect(undecided).toBeLessThan(0.01 * decided);
  });
});
