/** Tube-voltage conversion to 120 kVp-equivalent HU (METHOD.md §5). */

/** The factor f(kVp) or null when the table has none for this kVp. */
export function kvpFactor(kvp: number | null, table: Readonly<Record<number, number>>): number | null {
  if (kvp === null) return null;
  const f = table[kvp];
  return f !== undefined && Number.isFinite(f) && f > 0 ? f : null;
}

/** HU at 120 kVp: HU_kVp / f(kVp); null when either is unknown. */
export function to120(hu: number | null, factor: number | null): number | null {
  return hu === null || factor === null ? null : hu / factor;
}
