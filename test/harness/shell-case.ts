/** A small curved two-vessel case, a three-branch stem tree, and each planned as the shell kernels take it (plan, index, tables). */
import type { ShellOptions } from '../../src/measure/pericoronary-types';
import { type Candidates, buildCandidates } from '../../src/shells/candidates';
import { type ShellPlan, planShells } from '../../src/shells/plan';
import { type ShellTables, shellTables } from '../../src/shells/tables';
import type { Mat3, Vec3 } from '../../src/volume/geometry';
import { OPTS, stemTree, twoCurvedVessels } from './shell-fixtures';

/**
 * Two curved vessels in an oblique 36×32×22 grid (wall gap 0.3 mm unless `opts` says otherwise;
 * spacing 0.6 × 0.6 × 0.9 mm unless `spacing` says otherwise).
 */
export function curvedCase(
  opts: Partial<ShellOptions> = {},
  spacing?: Vec3,
): ReturnType<typeof twoCurvedVessels> & { opts: ShellOptions } {
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const direction: Mat3 = [c, -s, 0, s, c, 0, 0, 0, 1];
  const made = twoCurvedVessels({
    dims: [36, 32, 22],
    seed: 32,
    origin: [1, -2, 3],
    direction,
    arcZ: 8,
    lad: [14, 12],
    ...(spacing ? { spacing } : {}),
  });
  return { ...made, opts: { ...OPTS, wallGapMm: 0.3, ...opts } };
}

export function plannedCurvedCase(
  opts: Partial<ShellOptions> = {},
  spacing?: Vec3,
): ReturnType<typeof curvedCase> & {
  plan: ShellPlan;
  cands: Candidates;
  tables: ShellTables;
} {
  const made = curvedCase(opts, spacing);
  const plan = planShells(made.ct, made.vessels, made.lesions, made.opts);
  return { ...made, plan, cands: buildCandidates(plan), tables: shellTables(plan) };
}

/**
 * stemTree (LAD, LCx and RI sharing a 14 mm stem, in `order`) planned as the shell kernels take it:
 * the stem is one part at the start of the three paths, and its voxels tie exactly between them.
 */
export function plannedStemTree(order: readonly number[] = [0, 1, 2]): ReturnType<typeof stemTree> & {
  opts: ShellOptions;
  plan: ShellPlan;
  cands: Candidates;
  tables: ShellTables;
} {
  const made = stemTree(order);
  const opts: ShellOptions = { ...OPTS, wallGapMm: 0.2 };
  const plan = planShells(made.ct, made.vessels, made.lesions, opts);
  return { ...made, opts, plan, cands: buildCandidates(plan), tables: shellTables(plan) };
}
