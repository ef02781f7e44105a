/**
 * The page's overlays: rings as distance bands, each vessel's VOI, the lesions' VOIs, centerlines on
 * the grid, the fat window, EAT histogram.
 */
import { describe, expect, it } from 'vitest';
import {
  centerlineLayer,
  fatWindowLayer,
  huHistogram,
  lesionVoiLayer,
  ringDistanceLayer,
  voiLayer,
} from '../../src/measure/display-layers';
import type { MeasureLayers } from '../../src/measure/measure';
import { RING_COUNT } from '../../src/measure/pericoronary-types';
import type { Geometry, Vec3 } from '../../src/volume/geometry';
import { Rng } from '../../src/phantom/rng';

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

  it("shows a voxel where vessels tie in each tied vessel's VOI and rings (tie layers)", () => {
    const dims: Vec3 = [2, 1, 1];
    // Voxel 0: LAD (1) and LCx (2) tie, LCx's labels in the second tie layer; voxel 1: LCx only.
    const m: MeasureLayers = {
      crop: { lo: [0, 0, 0], hi: [2, 1, 1] },
      vessels: ['RCA', 'LAD', 'LCx'],
      layers: {
        dims: [2, 1, 1],
        voi: new Uint8Array([2, 3]),
        rings: new Uint8Array([1 + RING_COUNT + 2, 1 + 2 * RING_COUNT + 5]),
        lesions: [],
        ties: [{ voi: new Uint8Array([3, 0]), rings: new Uint8Array([1 + 2 * RING_COUNT + 2, 0]) }],
      },
    };
    expect(Array.from(voiLayer(dims, m, [1]))).toEqual([2, 0]);
    expect(Array.from(voiLayer(dims, m, [2]))).toEqual([3, 3]);
    expect(Array.from(voiLayer(dims, m, [1, 2]))).toEqual([2, 3]);
    expect(Array.from(voiLayer(dims, m, [0]))).toEqual([0, 0]);
    expect(Array.from(voiLayer(dims, m))).toEqual([2, 3]);
    expect(Array.from(ringDistanceLayer(dims, m, [2]))).toEqual([3, 6]);
    expect(Array.from(ringDistanceLayer(dims, m, [1]))).toEqual([3, 0]);
    expect(Array.from(ringDistanceLayer(dims, m, [0]))).toEqual([0, 0]);
  });

  it('keeps only the VOIs and rings of the vessels asked for and folds lesion layers, voxel by voxel', () => {
    // Random crop layers of three vessels and three lesions on two layers, placed in a larger grid;
    // each output voxel is checked against the crop voxel it comes from, read by coordinates.
    const rng = new Rng(7);
    const int = (n: number) => Math.floor(rng.next() * n);
    const dims: Vec3 = [9, 7, 5];
    const lo: Vec3 = [2, 1, 1];
    const hi: Vec3 = [8, 6, 4];
    const cd: Vec3 = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    const n = cd[0] * cd[1] * cd[2];
    const voi = Uint8Array.from({ length: n }, () => (int(2) ? 1 + int(3) : 0));
    const rings = Uint8Array.from({ length: n }, () => (int(3) ? 1 + int(3 * RING_COUNT) : 0));
    const lesions = [0, 1].map(() => Uint8Array.from({ length: n }, () => (int(2) ? 1 + int(3) : 0)));
    const m: MeasureLayers = {
      crop: { lo, hi },
      vessels: ['RCA', 'LAD', 'LCx'],
      layers: { dims: cd, voi, rings, lesions },
    };
    const crop = (i: number, j: number, k: number): number | null => {
      const [ci, cj, ck] = [i - lo[0], j - lo[1], k - lo[2]];
      if (ci < 0 || cj < 0 || ck < 0 || ci >= cd[0] || cj >= cd[1] || ck >= cd[2]) return null;
      return ci + cd[0] * (cj + cd[1] * ck);
    };
    const shown = [0, 2];
    const v = voiLayer(dims, m, shown);
    const all = voiLayer(dims, m);
    const r = ringDistanceLayer(dims, m, shown);
    const les = lesionVoiLayer(dims, m);
    let kept = 0;
    let dropped = 0;
    for (let k = 0; k < dims[2]; k++)
      for (let j = 0; j < dims[1]; j++)
        for (let i = 0; i < dims[0]; i++) {
          const at = i + dims[0] * (j + dims[1] * k);
          const c = crop(i, j, k);
          const label = c === null ? 0 : (voi[c] as number);
          const ring = c === null ? 0 : (rings[c] as number);
          const l0 = c === null ? 0 : (lesions[0]?.[c] as number);
          const l1 = c === null ? 0 : (lesions[1]?.[c] as number);
          expect(all[at]).toBe(label);
          expect(v[at]).toBe(label === 2 ? 0 : label);
          const ringVessel = Math.floor((ring - 1) / RING_COUNT);
          expect(r[at]).toBe(ring === 0 || ringVessel === 1 ? 0 : ring - ringVessel * RING_COUNT);
          expect(les[at]).toBe(l0 && l1 ? Math.min(l0, l1) : l0 || l1);
          if (label === 1 || label === 3) kept++;
          if (label === 2) dropped++;
        }
    // The data exercise every branch: kept and dropped vessels, overlapping lesions.
    expect(kept).toBeGreaterThan(20);
    expect(dropped).toBeGreaterThan(10);
    expect(lesions[0]?.some((a, i) => a > 0 && (lesions[1]?.[i] ?? 0) > 0 && a !== lesions[1]?.[i])).toBe(true);
    // No lesion layer: an empty labelmap of the grid.
    const none = lesionVoiLayer(dims, { ...m, layers: { ...m.layers, lesions: [] } });
    expect(none.length).toBe(9 * 7 * 5);
    expect(none.some((x) => x > 0)).toBe(false);
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
