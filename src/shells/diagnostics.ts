/** The report's account of the voxels the f32 kernels left to the float64 settling. */
import { UNDECIDED_REASONS } from './constants';
import type { ShellPlan } from './plan';

const NAMES = new Map<number, string>(Object.values(UNDECIDED_REASONS).map((r) => [r.code, r.name]));

/** Counts by reason and by (f32) owning vessel, from the kernel's `reason | owner << 8` words. */
export function undecidedDiagnostics(
  plan: ShellPlan,
  reasons: ArrayLike<number>,
): { total: number; byReason: Record<string, number>; byVessel: Record<string, number> } {
  const byReason: Record<string, number> = {};
  const byVessel: Record<string, number> = {};
  for (let n = 0; n < reasons.length; n++) {
    const word = reasons[n] as number;
    const reason = NAMES.get(word & 0xff) ?? `code${word & 0xff}`;
    const vessel = plan.vessels[word >>> 8]?.name ?? 'none';
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    byVessel[vessel] = (byVessel[vessel] ?? 0) + 1;
  }
  return { total: reasons.length, byReason, byVessel };
}
