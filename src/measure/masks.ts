/** Masks users can inspect in a viewer: EAT fat voxels (fat ∧ region). */
import type { FatWindow } from '../stats/fat-window';

export function fatMask(hu: Int16Array, region: Uint8Array, window: FatWindow): Uint8Array {
  const out = new Uint8Array(hu.length);
  for (let i = 0; i < hu.length; i++) {
    const v = hu[i] as number;
    out[i] = region[i] !== 0 && v >= window.lo && v <= window.hi ? 1 : 0;
  }
  return out;
}
