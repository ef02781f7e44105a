/**
 * The EAT region from a pericardium labelmap (src/measure/prepare.ts eatLabels): a 0/1 mask taken
 * whole is its own region (the same array, no copy), and every other case — other label values, a
 * label named, axial limits, a multi-label map — gets the region by the definition.
 */
import { describe, expect, it } from 'vitest';
import { eatLabels } from '../../src/measure/prepare';
import { withDefaults } from '../../src/measure/options';
import type { LabelVolume } from '../../src/volume/volume';
import { makeCt } from '../harness/shell-fixtures';

const dims: [number, number, number] = [6, 5, 4];
const ct = makeCt(dims, [1, 1, 2], new Int16Array(6 * 5 * 4));
const mask = (values: (n: number) => number): LabelVolume => ({
  dims: ct.dims,
  spacing: ct.spacing,
  origin: ct.origin,
  direction: ct.direction,
  labels: Uint8Array.from({ length: 6 * 5 * 4 }, (_, n) => values(n)),
  source: 'pericardium.nii.gz',
});
const inside = (n: number) => n % 7 === 0 || n % 11 === 3;

describe('eatLabels', () => {
  it('takes a 0/1 mask whole as the region itself', () => {
    const m = mask((n) => (inside(n) ? 1 : 0));
    expect(eatLabels(ct, m, withDefaults({}))).toBe(m.labels);
  });

  it('maps another single label to 1, in a new array', () => {
    const m = mask((n) => (inside(n) ? 255 : 0));
    const region = eatLabels(ct, m, withDefaults({}));
    expect(region).not.toBe(m.labels);
    expect(Array.from(region)).toEqual(Array.from(m.labels, (l) => (l ? 1 : 0)));
  });

  it('keeps only the slices inside axial limits, without touching the mask', () => {
    const m = mask((n) => (inside(n) ? 1 : 0));
    const before = Array.from(m.labels);
    const region = eatLabels(ct, m, withDefaults({ axialLimits: { unit: 'slice', from: 1, to: 2 } }));
    expect(Array.from(m.labels)).toEqual(before);
    const slice = 6 * 5;
    expect(Array.from(region)).toEqual(
      before.map((l, n) => (Math.floor(n / slice) >= 1 && Math.floor(n / slice) <= 2 ? l : 0)),
    );
  });

  it('takes the label named from a multi-label map, and refuses the map without one', () => {
    const m = mask((n) => (inside(n) ? 1 + (n % 3) : 0));
    const region = eatLabels(ct, m, withDefaults({ pericardiumLabel: 2 }));
    expect(Array.from(region)).toEqual(Array.from(m.labels, (l) => (l === 2 ? 1 : 0)));
    expect(() => eatLabels(ct, m, withDefaults({}))).toThrow(/multi-label map/);
  });
});
