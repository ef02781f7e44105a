/**
 * The live candidate index (candidates.ts, liveOnly) built in shares of cell slices, which threads
 * can build side by side, and put back together: the same lists, entry for entry and bit for bit,
 * as one thread building the whole crop. A share is one row of index blocks along z (the unit both
 * builders work in), so a share's candidates are a contiguous run of the whole index in both
 * builders' layouts (the WebAssembly one lists cell by cell, the JS one block by block within a row
 * of blocks; both go row by row along z): merging is concatenation, each list's offset moved by the
 * candidates of the shares before it.
 */
import { type Candidates, buildCandidates, cellGrid, INDEX_BLOCK } from './candidates';
import { PLANE_WORDS } from './constants';
import type { ShellPlan } from './plan';
import { WasmShells } from './wasm/cells';

/** The index of one share: the lists of its cells only (offsets into its own candidates). */
export interface IndexShare {
  /** Cell slices [k0, k1). */
  readonly zCells: readonly [number, number];
  /**
   * Its non-empty lists, three words each: (cell, part) slot counted from cell k0·gx·gy, offset
   * into its candidates, count (most cells of a crop have none: only these are sent and written).
   */
  readonly lists: Uint32Array;
  readonly seg: Uint32Array;
  readonly plane: Float32Array;
  /** mayLabel of its cells. */
  readonly mayLabel: Uint8Array;
}

/** Builds a live index in shares (a platform's threads) or on this thread. */
export type IndexBuilder = (plan: ShellPlan, signal?: AbortSignal) => Promise<Candidates>;

/** The shares of a crop's index, in order along z. */
export function indexShareRanges(plan: ShellPlan): [number, number][] {
  const gz = cellGrid(plan).counts[2];
  const out: [number, number][] = [];
  for (let k = 0; k < gz; k += INDEX_BLOCK) out.push([k, Math.min(gz, k + INDEX_BLOCK)]);
  return out;
}

/** One share of the live index, by the WebAssembly builder where it runs (as the whole index is). */
export function buildIndexShare(plan: ShellPlan, zCells: readonly [number, number]): IndexShare {
  const wasm = WasmShells.of(plan);
  if (!wasm) return shareOf(buildCandidates(plan, zCells, true), zCells);
  for (const _ of wasm.share(zCells)) void _;
  return shareOf(wasm.toCandidates(), zCells);
}

/** The share zCells of an index built for those cell slices only (other cells empty). */
export function shareOf(whole: Candidates, zCells: readonly [number, number]): IndexShare {
  const grid = whole.grid;
  const layer = grid.counts[0] * grid.counts[1];
  const [c0, c1] = [zCells[0] * layer, Math.min(grid.cells, zCells[1] * layer)];
  const P = whole.partCount;
  let n = 0;
  for (let slot = P * c0; slot < P * c1; slot++) if ((whole.lists[2 * slot + 1] as number) > 0) n++;
  const lists = new Uint32Array(3 * n);
  let at = 0;
  for (let slot = P * c0; slot < P * c1; slot++) {
    const count = whole.lists[2 * slot + 1] as number;
    if (count === 0) continue;
    lists[at++] = slot - P * c0;
    lists[at++] = whole.lists[2 * slot] as number;
    lists[at++] = count;
  }
  return {
    zCells: [zCells[0], zCells[1]],
    lists,
    seg: whole.seg.slice(0, whole.count),
    plane: whole.plane.slice(0, whole.count * PLANE_WORDS),
    mayLabel: whole.mayLabel.slice(c0, c1),
  };
}

/** The whole live index from its shares (any order; every share of indexShareRanges once). */
export function mergeIndexShares(plan: ShellPlan, shares: readonly IndexShare[]): Candidates {
  const grid = cellGrid(plan);
  const P = plan.parts.length;
  const layer = grid.counts[0] * grid.counts[1];
  const sorted = [...shares].sort((a, b) => a.zCells[0] - b.zCells[0]);
  const count = sorted.reduce((n, s) => n + s.seg.length, 0);
  const lists = new Uint32Array(grid.cells * P * 2);
  const seg = new Uint32Array(count);
  const plane = new Float32Array(count * PLANE_WORDS);
  const mayLabel = new Uint8Array(grid.cells);
  let at = 0;
  for (const s of sorted) {
    const c0 = s.zCells[0] * layer;
    seg.set(s.seg, at);
    plane.set(s.plane, at * PLANE_WORDS);
    mayLabel.set(s.mayLabel, c0);
    const base = P * c0;
    for (let w = 0; w < s.lists.length; w += 3) {
      const slot = base + (s.lists[w] as number);
      lists[2 * slot] = (s.lists[w + 1] as number) + at;
      lists[2 * slot + 1] = s.lists[w + 2] as number;
    }
    at += s.seg.length;
  }
  return { grid, partCount: P, lists, seg, plane, count, mayLabel };
}
