/**
 * The live cells' layout the shell kernels run over: every crop voxel of a live cell is exactly one
 * valid entry of one chunk, whatever the slabs and the chunk size; no other voxel is; chunks hold
 * at most the cells asked and stay within their slab; each entry's HU (entryHu) is its voxel's.
 */
import { describe, expect, it } from 'vitest';
import type { PreparedVessel } from '../../src/measure/pericoronary-types';
import { buildCandidates } from '../../src/shells/candidates';
import { entryHu, entryVoxel, liveLayout, liveWork } from '../../src/shells/live-cells';
import { cropHu, planShells } from '../../src/shells/plan';
import { curvedCase } from '../harness/shell-case';

describe('liveLayout', () => {
  // Short segments and no lesions: most cells of the crop cannot label a voxel.
  const c = curvedCase();
  const segments: [number, number][] = [
    [10, 14],
    [0, 5],
  ];
  const vessels = c.vessels.map((v, n): PreparedVessel => ({ ...v, segmentMm: segments[n] ?? [0, 5] }));
  const plan = planShells(c.ct, vessels, [], c.opts);
  const cands = buildCandidates(plan);
  const hu = cropHu(c.ct.dims, c.ct.hu, plan.crop);
  const [cx, cy, cz] = plan.cropDims;
  const { size, counts } = cands.grid;
  const liveVoxel = (v: number): boolean => {
    const i = v % cx;
    const j = Math.floor(v / cx) % cy;
    const k = Math.floor(v / (cx * cy));
    const cell = Math.floor(i / size[0]) + counts[0] * (Math.floor(j / size[1]) + counts[1] * Math.floor(k / size[2]));
    return cands.mayLabel[cell] === 1;
  };

  it.each([
    [cz, Infinity],
    [3, 7],
    [1, 1],
    [5, 1000],
  ])('slabs of %s slices, chunks of %s cells: each live voxel once', (slices, cells) => {
    const slabs = Array.from({ length: Math.ceil(cz / slices) }, (_, n) => ({
      z0: n * slices,
      z1: Math.min(cz, (n + 1) * slices),
    }));
    const layout = liveLayout(cands, plan.cropDims, slabs, cells);
    const seen = new Uint8Array(plan.cropVoxels);
    for (const chunk of layout.chunks) {
      expect(chunk.count).toBeLessThanOrEqual(cells);
      expect(chunk.count).toBeGreaterThan(0);
      expect(slabs[chunk.slab]).toEqual({ z0: chunk.z0, z1: chunk.z1 });
      const entries = entryHu(layout, plan.cropDims, chunk, hu);
      expect(entries.length).toBe(chunk.count * layout.cellVoxels + ((chunk.count * layout.cellVoxels) & 1));
      for (let t = 0; t < chunk.count * layout.cellVoxels; t++) {
        const v = entryVoxel(layout, plan.cropDims, chunk, t);
        expect(entries[t]).toBe(v < 0 ? 0 : hu[v]);
        if (v < 0) continue;
        const k = Math.floor(v / (cx * cy));
        expect(k >= chunk.z0 && k < chunk.z1).toBe(true);
        seen[v] = (seen[v] as number) + 1;
      }
    }
    let live = 0;
    for (let v = 0; v < plan.cropVoxels; v++) {
      expect(seen[v]).toBe(liveVoxel(v) ? 1 : 0);
      if (liveVoxel(v)) live++;
    }
    expect(layout.liveVoxels).toBe(live);
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(plan.cropVoxels);
    expect(liveWork(cands, plan.cropDims)).toEqual({
      cells: cands.grid.cells,
      liveCells: layout.liveCells,
      voxels: live,
    });
  });

  it('spreads the live cells over about the chunks asked, never below the least cells per chunk', () => {
    const whole = [{ z0: 0, z1: cz }];
    const all = liveLayout(cands, plan.cropDims, whole, Infinity);
    const four = liveLayout(cands, plan.cropDims, whole, Infinity, { chunks: 4, minCells: 1 });
    expect(four.chunks.length).toBeLessThanOrEqual(4);
    expect(four.chunks.length).toBe(Math.ceil(all.liveCells / Math.ceil(all.liveCells / 4)));
    for (const c of four.chunks) expect(c.count).toBeLessThanOrEqual(Math.ceil(all.liveCells / 4));
    expect(Array.from(four.cells)).toEqual(Array.from(all.cells));
    // The binding limit still wins over the spread, and the least cells per chunk over it.
    expect(liveLayout(cands, plan.cropDims, whole, 1, { chunks: 4, minCells: 1 }).chunks.length).toBe(all.liveCells);
    expect(liveLayout(cands, plan.cropDims, whole, Infinity, { chunks: 4, minCells: 1e9 }).chunks.length).toBe(1);
  });
});
