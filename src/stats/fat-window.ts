/** The fat window (shared METHOD.md §2): inclusive integer HU bounds, defined at 120 kVp. */
export interface FatWindow {
  readonly lo: number;
  readonly hi: number;
}

export const DEFAULT_FAT_WINDOW: FatWindow = { lo: -190, hi: -30 };

export function windowBins(w: FatWindow): number {
  return w.hi - w.lo + 1;
}

export function checkWindow(w: FatWindow): void {
  if (!Number.isInteger(w.lo) || !Number.isInteger(w.hi) || w.lo > w.hi || w.lo < -32768 || w.hi > 32767) {
    throw new RangeError(`fat window [${w.lo}, ${w.hi}] must be integer HU with lo ≤ hi`);
  }
}
