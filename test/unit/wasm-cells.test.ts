/**
 * The WebAssembly twin of the float64 inner loop (src/shells/wasm) against the JS twin
 * (BoundedShells): every label layer byte for byte, every fat count, the index's entries and its
 * live cells (the evaluations within a few per cent: its plane bounds are f32, with a margin), on a
 * curved pair with lesions, a stem three vessels tie on (lesions on the stem), and with the calcium
 * guard on; and the committed module is what its AssemblyScript source compiles to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guardInputs, sharedInt16 } from '../../src/backends/cpu/pericoronary';
import { type ClassifyShare, type InnerLoop, classifyShare } from '../../src/shells/classify';
import { buildCandidates, cellGrid } from '../../src/shells/candidates';
import { WasmShells } from '../../src/shells/wasm/cells';
import { allTieLayers } from '../../src/shells/layers';
import { cropHu, planShells } from '../../src/shells/plan';
import { cellsModuleText, compileCells } from '../../scripts/build-wasm.mjs';
import { curvedCase } from '../harness/shell-case';
import { stemTree } from '../harness/shell-fixtures';
import type { ShellOptions } from '../../src/measure/pericoronary-types';

type Case = ReturnType<typeof curvedCase> | (ReturnType<typeof stemTree> & { opts: ShellOptions });

/** Every share of the crop (two cell slices each) by one inner loop; the layers and counts of each. */
function run(c: Case, inner: InnerLoop): ClassifyShare[] {
  const plan = planShells(c.ct, c.vessels, c.lesions, c.opts);
  const hu = cropHu(c.ct.dims, c.ct.hu, plan.crop, sharedInt16);
  const guard = guardInputs(plan, hu);
  const gz = cellGrid(plan).counts[2];
  const shares: ClassifyShare[] = [];
  for (let z = 0; z < gz; z += 2) {
    const zCells: [number, number] = [z, Math.min(gz, z + 2)];
    shares.push(classifyShare({ plan, zCells, guard, inner, count: { hu, window: c.opts.window } }));
  }
  return shares;
}

const layerBytes = (s: ClassifyShare): Uint8Array[] => [
  ...allTieLayers(s.layers).flatMap((l) => [l.voi, l.rings]),
  ...s.layers.lesions,
];

describe('the WebAssembly inner loop', () => {
  const stem = { ...stemTree([2, 0, 1]), opts: curvedCase().opts };
  it.each([
    ['a curved pair with lesions', curvedCase()],
    ['a curved pair, calcium guard 1 mm', curvedCase({ calciumGuardMm: 1.0, calciumHu: 60 })],
    ['a stem three vessels tie on', stem],
  ])('labels and counts %s as the JS twin does, bit for bit', (_, c) => {
    const js = run(c, 'js');
    const wasm = run(c, 'wasm');
    expect(wasm.every((s) => s.inner === 'wasm') && js.every((s) => s.inner === 'js')).toBe(true);
    let labelled = 0;
    wasm.forEach((w, n) => {
      const j = js[n] as ClassifyShare;
      // Its f32 plane bounds (with a margin) prune a little less than the JS twin's float64 ones.
      expect(w.evaluations).toBeGreaterThanOrEqual(j.evaluations);
      expect(w.evaluations).toBeLessThan(1.05 * j.evaluations + 100);
      expect([w.candidates, w.liveCells, w.voxels]).toEqual([j.candidates, j.liveCells, j.voxels]);
      expect(layerBytes(w)).toEqual(layerBytes(j));
      expect(w.counts).toEqual(j.counts);
      labelled += w.layers.voi.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    });
    // Not a vacuous comparison: labels were placed.
    expect(labelled).toBeGreaterThan(100);
  });

  it('the stem case has tied voxels (a second tie layer written)', () => {
    const shares = run(stem, 'wasm');
    expect(shares.some((s) => s.layers.ties[0]?.voi.some((v) => v > 0) ?? false)).toBe(true);
  });

  it.each([
    ['a curved pair with lesions', curvedCase()],
    ['a stem three vessels tie on', stem],
  ])('builds the index of %s in the JS layout (toCandidates) list for list, bit for bit', (_, c) => {
    const plan = planShells(c.ct, c.vessels, c.lesions, c.opts);
    const js = buildCandidates(plan, undefined, true);
    const wasm = WasmShells.of(plan)!;
    for (const _step of wasm.share([0, Infinity])) void _step;
    const w = wasm.toCandidates();
    expect([w.count, w.partCount, w.grid]).toEqual([js.count, js.partCount, js.grid]);
    expect(w.mayLabel).toEqual(js.mayLabel);
    const list = (x: typeof js, slot: number) => {
      const [first, n] = [x.lists[2 * slot] as number, x.lists[2 * slot + 1] as number];
      return { seg: x.seg.subarray(first, first + n), plane: x.plane.subarray(4 * first, 4 * (first + n)) };
    };
    let entries = 0;
    for (let slot = 0; slot < js.grid.cells * js.partCount; slot++) {
      expect(list(w, slot)).toEqual(list(js, slot));
      entries += js.lists[2 * slot + 1] as number;
    }
    expect(entries).toBe(js.count);
    expect(entries).toBeGreaterThan(1000);
  });

  it('the committed module is a fresh compile of cells.as.ts', async () => {
    const committed = readFileSync(new URL('../../src/shells/wasm/cells.wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(cellsModuleText(await compileCells()));
  });
});
