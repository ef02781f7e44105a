/**
 * The shell-labels CPU twin against the float64 definition: every voxel it does not leave to the
 * settling gets exactly the VOI, ring and lesion labels of ExactShells (METHOD.md §4), in every tie
 * layer (a voxel where vessels tie exactly counts for each).
 */
import { describe, expect, it } from 'vitest';
import { shellLabelsCpu } from '../../src/kernels/shell-labels/shell-labels.cpu';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import { buildCandidates } from '../../src/shells/candidates';
import { liveLayout } from '../../src/shells/live-cells';
import { ExactShells } from '../../src/shells/exact';
import { type ShellPlan, planShells } from '../../src/shells/plan';
import { shellTables } from '../../src/shells/tables';
import { OPTS, stemTree } from '../harness/shell-fixtures';
import { plannedCurvedCase } from '../harness/shell-case';

/**
 * Wrong labels over every layer, and the voxels labelled in tie layers 0 and 1. Voxels outside the
 * live cells the kernels visit must be unlabelled by the definition too. `slices` and `cells` cut
 * the live cells into slabs and chunks as a small binding limit does.
 */
function compare(
  plan: ShellPlan,
  slices = Infinity,
  cells = Infinity,
): { wrong: number; labelled: number; tied: number } {
  const cands = buildCandidates(plan);
  const tables = shellTables(plan);
  const cz = plan.cropDims[2];
  const slabs = Array.from({ length: Math.ceil(cz / Math.min(cz, slices)) }, (_, n) => ({
    z0: n * Math.min(cz, slices),
    z1: Math.min(cz, (n + 1) * Math.min(cz, slices)),
  }));
  const st = shellNearestCpu(plan, cands, tables, liveLayout(cands, plan.cropDims, slabs, cells));
  const ex = new ExactShells(plan, cands);
  const [cx, cy] = plan.cropDims;
  let wrong = 0;
  let labelled = 0;
  let tied = 0;
  for (let layer = 0; layer < Math.max(1, plan.tieLayerCount, plan.lesionLayerCount); layer++) {
    const out = shellLabelsCpu(plan, st, tables, null, layer);
    const undecided = new Set(out.undecided);
    for (let v = 0; v < plan.cropVoxels; v++) {
      if (undecided.has(v)) continue;
      const l = ex.classify(v % cx, Math.floor(v / cx) % cy, Math.floor(v / (cx * cy)), null);
      const lesion = l.lesions.map((li) => plan.lesions[li]!).find((x) => x.layer === layer);
      if (out.voi[v] !== (l.voi[layer] ?? 0) || out.rings[v] !== (l.ring[layer] ?? 0)) wrong++;
      if (layer === 0 && (l.voi[0] ?? 0) !== 0) labelled++;
      if (layer === 1 && (l.voi[1] ?? 0) !== 0) tied++;
      if (out.lesion && (out.lesion[v] as number) !== (lesion ? lesion.label : 0)) wrong++;
    }
  }
  return { wrong, labelled, tied };
}

describe('shell-labels CPU twin vs the float64 definition', () => {
  it('labels every decided voxel as float64 does (wall gap, two vessels, overlapping lesions)', () => {
    const { plan } = plannedCurvedCase();
    const { wrong, labelled } = compare(plan);
    expect(wrong).toBe(0);
    expect(labelled).toBeGreaterThan(500);
    // Slabs of 3 slices (cells of 2+ slices straddle them) and chunks of 5 live cells: the same.
    expect(compare(plan, 3, 5)).toEqual({ wrong: 0, labelled, tied: 0 });
  });

  it('labels the tie layers of a stem three vessels share as float64 does, lesions of two on it', () => {
    const { ct, vessels, lesions } = stemTree([2, 0, 1]);
    const plan = planShells(ct, vessels, lesions, { ...OPTS, wallGapMm: 0.3 });
    expect(plan.tieLayerCount).toBe(3);
    const { wrong, labelled, tied } = compare(plan);
    expect(wrong).toBe(0);
    expect(labelled).toBeGreaterThan(500);
    expect(tied).toBeGreaterThan(200);
  });
});
