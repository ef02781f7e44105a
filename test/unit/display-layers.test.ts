/** The page's overlays: rings as distance bands, centerlines on the grid, the fat window, EAT histogram. */
import { describe, expect, it } from 'vitest';
import {
  centerlineLayer,
  fatWindowLayer,
  huHistogram,
  ringDistanceLayer,
  voiLayer,
} from '../../src/measure/display-layers';
import type { MeasureLayers } from '../../src/measure/measure';
import { RING_COUNT } from '../../src/measure/pericoronary-types';
import type { Geometry, Vec3 } from '../../src/volume/geometry';

const IDENTITY: Geometry['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

describe('display layers', () => {
  it('places crop layers on the grid and folds ring labels of every vessel into distance bands', () => {
    const dims: Vec3 = [4, 3, 2];
    // A 2×2×1 crop at (1, 1, 1): labels of vessel 0 ring 0, vessel 1 ring 4, vessel 2 ring 19, none.
    const rings = new Uint8Array([1, 1 + RING_COUNT + 4, 1 + 2 * RING_COUNT + 19, 0]);
    const m: MeasureLayers = {
      crop: { lo: [1, 1, 1], hi: [3, 3, 2] },
      vessels: ['RCA', 'LAD', 'LCx'],
      layers: { dims: [2, 2, 1], voi: new Uint8Array([1, 2, 3, 0]), rings, lesions: [] },
    };
    const at = (i: number, j: number, k: number) => i + 4 * (j + 3 * k);
    const d = ringDistanceLayer(dims, m);
    expect([d[at(1, 1, 1)], d[at(2, 1, 1)], d[at(1, 2, 1)], d[at(2, 2, 1)]]).toEqual([1, 5, 20, 0]);
    expect(d.reduce((s, x) => s + x, 0)).toBe(26);
    const v = voiLayer(dims, m);
    expect([v[at(1, 1, 1)], v[at(2, 1, 1)], v[at(1, 2, 1)]]).toEqual([1, 2, 3]);
  });

  it('draws a centerline through the voxels it passes, by vessel', () => {
    const grid: Geometry = { dims: [10, 10, 3], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
    const lines = centerlineLayer(grid, {
      vessels: [
        {
          name: 'A',
          points: [
            [1, 2, 1],
            [8, 2, 1],
          ],
          radii: [1, 1],
        },
        {
          name: 'B',
          points: [
            [2, 8, 0],
            [2, 8, 2],
          ],
          radii: [1, 1],
        },
        {
          name: 'out',
          points: [
            [50, 50, 50],
            [60, 60, 60],
          ],
          radii: [1, 1],
        },
      ],
      lesions: [],
      source: 'test',
    });
    const at = (i: number, j: number, k: number) => lines[i + 10 * (j + 10 * k)];
    for (let i = 1; i <= 8; i++) expect(at(i, 2, 1)).toBe(1);
    for (let k = 0; k <= 2; k++) expect(at(2, 8, k)).toBe(2);
    expect(lines.reduce((s, x) => s + (x ? 1 : 0), 0)).toBe(8 + 3);
  });

  it('marks the fat window and counts EAT HU exactly', () => {
    const hu = Int16Array.from([-200, -190, -100, -30, -29, -100, -100]);
    expect([...fatWindowLayer(hu, { lo: -190, hi: -30 })]).toEqual([0, 1, 1, 1, 0, 1, 1]);
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 0, 1]);
    const h = huHistogram(hu, mask, { lo: -190, hi: -30 });
    expect(h).toHaveLength(161);
    expect(h[0]).toBe(1);
    expect(h[90]).toBe(2);
    expect(h[160]).toBe(1);
    expect(h.reduce((s, x) => s + x, 0)).toBe(4);
  });
});
