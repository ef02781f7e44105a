/**
 * The shell-labels CPU twin against the float64 definition: every voxel it does not leave to the
 * settling gets exactly the VOI, ring and lesion labels of ExactShells (METHOD.md §4).
 */
import { describe, expect, it } from 'vitest';
import { shellLabelsCpu } from '../../src/kernels/shell-labels/shell-labels.cpu';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import { ExactShells } from '../../src/shells/exact';
import { plannedCurvedCase } from '../harness/shell-case';

describe('shell-labels CPU twin vs the float64 definition', () => {
  it('labels every decided voxel as float64 does (wall gap, two vessels, overlapping lesions)', () => {
    const { plan, cands, tables } = plannedCurvedCase();
    const st = shellNearestCpu(plan, cands, tables);
    const ex = new ExactShells(plan, cands);
    const [cx, cy] = plan.cropDims;
    let wrong = 0;
    let labelled = 0;
    for (let layer = 0; layer < Math.max(1, plan.lesionLayerCount); layer++) {
      const out = shellLabelsCpu(plan, st, tables, null, layer);
      const undecided = new Set(out.undecided);
      for (let v = 0; v < plan.cropVoxels; v++) {
        if (undecided.has(v)) continue;
        const l = ex.classify(v % cx, Math.floor(v / cx) % cy, Math.floor(v / (cx * cy)), null);
        const lesion = l.lesions.map((li) => plan.lesions[li]!).find((x) => x.layer === layer);
        if (layer === 0) {
          if (out.voi[v] !== l.voi || out.rings[v] !== l.ring) wrong++;
          if (l.voi !== 0) labelled++;
        }
        if (out.lesion && (out.lesion[v] as number) !== (lesion ? lesion.label : 0)) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(labelled).toBeGreaterThan(500);
  });
});
