/** Cut-off flags (METHOD.md §6): each triggered rule with its threshold, value and source. */
import type { Flag } from './report-types';
import type { FlagRule } from './options';

/** Rules use the 120 kVp-equivalent value when known, else the raw value (a warning says so). */
export function evaluateFlags(
  rules: readonly FlagRule[],
  appliesTo: FlagRule['appliesTo'],
  raw: number | null,
  hu120: number | null,
  vessel?: string,
): Flag[] {
  const value = hu120 ?? raw;
  if (value === null) return [];
  const named = (r: FlagRule) =>
    !r.vessels || vessel === undefined || r.vessels.some((n) => n.toUpperCase() === vessel.toUpperCase());
  return rules
    .filter((r) => r.appliesTo === appliesTo && named(r) && value >= r.threshold)
    .map((r) => ({ id: r.id, threshold: r.threshold, value, source: r.source }));
}
