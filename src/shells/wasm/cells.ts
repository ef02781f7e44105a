/**
 * Host of the WebAssembly twin of the float64 classification (cells.as.ts): lays a plan out in an
 * instance's memory once per thread (WasmShells.of), and for each share the thread takes builds the
 * share's candidate index there (the lists of buildCandidateSteps with liveOnly, bit for bit), then
 * classifies a cell per call and hands back the records of the voxels that got a label. The records
 * hold exactly what BoundedShells.label() leaves (the guard aside), so classify.ts places and
 * counts them as it does the JS twin's. Where WebAssembly is missing or refused (a page whose CSP
 * forbids it) WasmShells.of returns null and the JS twins run: same labels, slower.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../../measure/pericoronary-types';
import { ROUND_MM } from '../bounded';
import { type CellGrid, type Candidates, cellGrid, labelArcFlags } from '../candidates';
import { liveWork } from '../live-cells';
import { BAND_MM, BOUND_SLACK_MM, PLANE_WORDS } from '../constants';
import type { VoxelLabelSet } from '../layers';
import { type ShellPlan, WORLD_WORDS } from '../plan';
import { CELLS_WASM_BASE64 } from './cells.wasm';

interface CellsExports {
  init(hdr: number): void;
  evaluated(): number;
  candidates(): number;
  beginShare(z0: number, z1: number): void;
  buildRow(bk: number, bj: number): void;
  classifyCell(
    ci: number,
    cj: number,
    ck: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    k0: number,
    k1: number,
    cx: number,
    cy: number,
    base: number,
    out: number,
  ): number;
}

/** Cells per block edge of the two-level index (BLOCK of candidates.ts). */
const BLOCK = 4;
/** Bytes per group of four candidates (GROUP_BYTES of cells.as.ts). */
const GROUP_BYTES = 80;
/** Room for candidate groups at the start (the module doubles it as needed). */
const GROUPS_START = 1 << 14;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, once per thread (null where WebAssembly is unavailable or refused). */
function cellsModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const text = atob(CELLS_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let n = 0; n < text.length; n++) bytes[n] = text.charCodeAt(n);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Byte layout of the module's memory: arrays in order, each 8-byte aligned. */
class Layout {
  size = 1024;
  take(bytes: number): number {
    const at = this.size;
    this.size += Math.ceil(bytes / 8) * 8;
    return at;
  }
  /** The next offset that is a multiple of `n` (what follows starts there). */
  align(n: number): number {
    this.size = Math.ceil(this.size / n) * n;
    return this.size;
  }
}

/** Header: 64 i32 words (offsets and counts), then f64 constants from byte 256. */
const HEADER_BYTES = 512;

/** Each thread's instance per plan (a worker classifies many shares of one plan in turn). */
const instances = new WeakMap<ShellPlan, WasmShells | null>();

export class WasmShells implements VoxelLabelSet {
  /** The record last read by next(): what placeLabels and countLabels take. */
  tieCount = 0;
  readonly tieVoi: Int32Array;
  readonly tieRing: Int32Array;
  lesionCount = 0;
  readonly lesionHits: Int32Array;
  readonly grid: CellGrid;
  private readonly exports: CellsExports;
  private readonly memory: WebAssembly.Memory;
  private i32: Int32Array;
  private may: Uint8Array;
  private readonly out: number;
  private readonly mayAt: number;
  private readonly listsAt: number;
  private readonly candAt: number;
  private words = 0;
  private at = 0;
  /** The share begun last: cell slices [z0, z1). */
  private zCells: readonly [number, number] = [0, 0];

  private constructor(
    module: WebAssembly.Module,
    private readonly plan: ShellPlan,
  ) {
    const grid = cellGrid(plan);
    this.grid = grid;
    const V = plan.vessels.length;
    const P = plan.parts.length;
    const L = plan.lesions.length;
    const segs = plan.world.length / WORLD_WORDS;
    const pathLen = plan.vessels.reduce((n, v) => n + v.parts.length, 0);
    const longest = Math.max(1, ...plan.parts.map((p) => p.segCount));
    // Lists and flags for every cell of the grid: each share writes its own cells'.
    const cells = grid.cells;
    const [nx, ny, nz] = grid.size;
    const lay = new Layout();
    const hdr = lay.take(HEADER_BYTES);
    const at = {
      world: lay.take(segs * WORLD_WORDS * 8),
      lists: lay.take(cells * P * 8),
      pathStart: lay.take((V + 1) * 4),
      pathParts: lay.take(pathLen * 4),
      vs0: lay.take(V * 8),
      vs1: lay.take(V * 8),
      lVessel: lay.take(L * 4),
      lStart: lay.take(L * 8),
      lEnd: lay.take(L * 8),
      k: lay.take(24 * 8),
      cd: lay.take(6 * 4),
      partD2: lay.take(P * 8),
      partG: lay.take(P * 4),
      partT: lay.take(P * 8),
      partFirst: lay.take(P * 8),
      partRMax: lay.take(P * 8),
      scanned: lay.take(P * 4),
      vFirst: lay.take(V * 8),
      vRMax: lay.take(V * 8),
      order: lay.take(V * 4),
      pOrder: lay.take(pathLen * 4),
      pPos: lay.take(pathLen * 4),
      w: lay.take(V * 8),
      s: lay.take(V * 8),
      r: lay.take(V * 8),
      tied: lay.take(V * 4),
      local: lay.take(segs * 6 * 8),
      partBase: lay.take(P * 4),
      partSegs: lay.take(P * 4),
      cutoff: lay.take(P * 8),
      live: lay.take(V * segs),
      blkIdx: lay.take(P * longest * 4),
      blkDist: lay.take(P * longest * 8),
      blkCount: lay.take(P * 4),
      blkMin: lay.take(P * 8),
      cellDist: lay.take(P * longest * 8),
      cellNormal: lay.take(P * longest * 24),
      kept: lay.take(P * longest * 4),
      keptCount: lay.take(P * 4),
      may: lay.take(cells),
      near: lay.take(3 * 8),
      lb4: lay.align(16) && lay.take(16),
      // A record per voxel at most: n, tieCount, voi and ring per vessel, lesionCount, lesions.
      out: lay.take(nx * ny * nz * (3 + 2 * V + L) * 4),
      // The candidates go last, 16-byte aligned (SIMD loads): the module grows the memory for them.
      cand: lay.take(8) && lay.align(16),
    };
    const memory = new WebAssembly.Memory({ initial: Math.ceil((lay.size + GROUPS_START * GROUP_BYTES) / 65536) });
    this.memory = memory;
    const buf = memory.buffer;
    const f64 = (o: number, n: number) => new Float64Array(buf, o, n);
    const i32 = (o: number, n: number) => new Int32Array(buf, o, n);
    f64(at.world, plan.world.length).set(plan.world);
    f64(at.local, plan.local.length).set(plan.local);
    const starts = i32(at.pathStart, V + 1);
    const parts = i32(at.pathParts, pathLen);
    let q = 0;
    plan.vessels.forEach((v, n) => {
      starts[n] = q;
      for (const p of v.parts) parts[q++] = p;
    });
    starts[V] = q;
    f64(at.vs0, V).set(plan.vessels.map((v) => v.s0));
    f64(at.vs1, V).set(plan.vessels.map((v) => v.s1));
    i32(at.lVessel, L).set(plan.lesions.map((l) => l.vessel));
    f64(at.lStart, L).set(plan.lesions.map((l) => l.start));
    f64(at.lEnd, L).set(plan.lesions.map((l) => l.end));
    i32(at.partBase, P).set(plan.parts.map((p) => p.segBase));
    i32(at.partSegs, P).set(plan.parts.map((p) => p.segCount));
    const cutoff = f64(at.cutoff, P);
    for (const v of plan.vessels) for (const p of v.parts) cutoff[p] = Math.max(cutoff[p] as number, v.cutoff);
    const live = new Uint8Array(buf, at.live, V * segs);
    labelArcFlags(plan).forEach((flags, v) => live.set(flags, v * segs));
    const geo = plan.geometry;
    f64(at.k, 24).set([
      ...geo.origin,
      ...geo.direction,
      ...geo.spacing,
      ...plan.crop.lo,
      ...plan.spacing,
      ...grid.size.map((n) => (n - 1) / 2),
    ]);
    i32(at.cd, 6).set([...grid.size, ...grid.counts]);
    const head = i32(hdr, 64);
    // Word order: cells.as.ts init().
    head.set([
      at.world,
      at.cand,
      0,
      at.lists,
      at.pathStart,
      at.pathParts,
      at.vs0,
      at.vs1,
      at.lVessel,
      at.lStart,
      at.lEnd,
      at.k,
      at.cd,
      at.partD2,
      at.partG,
      at.partT,
      at.partFirst,
      at.partRMax,
      at.scanned,
      at.vFirst,
      at.vRMax,
      at.order,
      at.pOrder,
      at.pPos,
      at.w,
      at.s,
      at.r,
      at.tied,
      P,
      V,
      L,
      RING_COUNT,
      0,
      at.local,
      at.partBase,
      at.partSegs,
      at.cutoff,
      at.live,
      at.blkIdx,
      at.blkDist,
      at.blkCount,
      at.blkMin,
      at.cellDist,
      at.cellNormal,
      at.kept,
      at.keptCount,
      at.may,
      at.near,
      longest,
      segs,
      at.lb4,
    ]);
    f64(hdr + 256, 7).set([
      plan.wMax,
      plan.wallGap,
      RING_WIDTH_MM,
      BOUND_SLACK_MM,
      ROUND_MM,
      grid.halfDiag,
      BAND_MM + BOUND_SLACK_MM,
    ]);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as CellsExports;
    this.exports.init(hdr);
    this.i32 = new Int32Array(buf);
    this.may = new Uint8Array(buf, at.may, cells);
    this.out = at.out;
    this.mayAt = at.may;
    this.listsAt = at.lists;
    this.candAt = at.cand;
    this.tieVoi = new Int32Array(V);
    this.tieRing = new Int32Array(V);
    this.lesionHits = new Int32Array(L);
  }

  /**
   * This thread's instance for `plan` (null where WebAssembly is unavailable, or for a plan whose
   * lesion labels are not 1 + their index).
   */
  static of(plan: ShellPlan): WasmShells | null {
    const known = instances.get(plan);
    if (known !== undefined) return known;
    const module = cellsModule();
    let made: WasmShells | null = null;
    if (module && plan.lesions.every((l, n) => l.label === n + 1)) {
      try {
        made = new WasmShells(module, plan);
      } catch {
        made = null;
      }
    }
    instances.set(plan, made);
    return made;
  }

  /**
   * Builds the index of the share of cell slices zCells, row of blocks by row, yielding the
   * fraction done after each; the share's cells are then classified with classifyCell.
   */
  *share(zCells: readonly [number, number]): Generator<number> {
    const [, gy, gz] = this.grid.counts;
    const ck0 = Math.min(gz, zCells[0]);
    const ck1 = Math.min(gz, zCells[1]);
    this.zCells = [ck0, ck1];
    this.exports.beginShare(ck0, ck1);
    const bk0 = Math.floor(ck0 / BLOCK) * BLOCK;
    const rows = Math.max(1, Math.ceil((ck1 - bk0) / BLOCK) * Math.ceil(gy / BLOCK));
    let row = 0;
    for (let bk = bk0; bk < ck1; bk += BLOCK) {
      for (let bj = 0; bj < gy; bj += BLOCK) {
        this.exports.buildRow(bk, bj);
        yield ++row / rows;
      }
    }
    // The candidates may have grown the memory: fresh views of it.
    if (this.i32.buffer !== this.memory.buffer) {
      this.i32 = new Int32Array(this.memory.buffer);
      this.may = new Uint8Array(this.memory.buffer, this.mayAt, this.grid.cells);
    }
  }

  /**
   * The index of the share begun last in the host's layout (buildCandidates(plan, zCells, true):
   * the same lists, entry for entry and bit for bit, each list contiguous; other cells empty), for
   * the GPU shell kernels, which read it as the JS builder lays it out. Called after share().
   */
  toCandidates(): Candidates {
    const P = this.plan.parts.length;
    const layer = this.grid.counts[0] * this.grid.counts[1];
    const buf = this.memory.buffer;
    const from = new Uint32Array(buf, this.listsAt, this.grid.cells * P * 2);
    const [c0, c1] = [this.zCells[0] * layer, this.zCells[1] * layer];
    let count = 0;
    for (let slot = c0 * P; slot < c1 * P; slot++) count += from[2 * slot + 1] as number;
    const f32 = new Float32Array(buf);
    const u32 = new Uint32Array(buf);
    const lists = new Uint32Array(this.grid.cells * P * 2);
    const seg = new Uint32Array(count);
    const plane = new Float32Array(count * PLANE_WORDS);
    const mayLabel = new Uint8Array(this.grid.cells);
    mayLabel.set(this.may.subarray(c0, c1), c0);
    // A list's candidates sit in groups of four (GROUP_BYTES, structure of arrays: n.x, n.y, n.z,
    // dc as f32 × 4, then the segments as u32 × 4): word w of candidate r is at group word 4w + r.
    let at = 0;
    for (let slot = c0 * P; slot < c1 * P; slot++) {
      const n = from[2 * slot + 1] as number;
      if (n === 0) continue;
      const g0 = from[2 * slot] as number;
      lists[2 * slot] = at;
      lists[2 * slot + 1] = n;
      for (let r = 0; r < n; r++) {
        const o = ((this.candAt + (g0 + (r >> 2)) * GROUP_BYTES) >> 2) + (r & 3);
        const q = at * PLANE_WORDS;
        plane[q] = f32[o] as number;
        plane[q + 1] = f32[o + 4] as number;
        plane[q + 2] = f32[o + 8] as number;
        plane[q + 3] = f32[o + 12] as number;
        seg[at++] = u32[o + 16] as number;
      }
    }
    return { grid: this.grid, partCount: P, lists, seg, plane, count, mayLabel };
  }

  /** Entries of the share's index. */
  get candidates(): number {
    return this.exports.candidates();
  }

  /** Segment projections the share evaluated so far. */
  get evaluations(): number {
    return this.exports.evaluated();
  }

  /** Whether some voxel of `cell` (of the share) can get a label (Candidates.mayLabel). */
  mayLabel(cell: number): boolean {
    return this.may[cell] === 1;
  }

  /**
   * The share's live cells and the crop voxels in them: liveWork over its cells only (the flags of
   * the thread's earlier shares stay in this memory).
   */
  shareWork(): { liveCells: number; voxels: number } {
    const layer = this.grid.counts[0] * this.grid.counts[1];
    return liveWork({ grid: this.grid, mayLabel: this.may }, this.plan.cropDims, [
      this.zCells[0] * layer,
      this.zCells[1] * layer,
    ]);
  }

  /**
   * Classifies the voxels of cell (ci, cj, ck) in box [i0, i1) × [j0, j1) × [k0, k1) of a crop cx ×
   * cy wide; then next() steps through the labelled ones.
   */
  classifyCell(
    ci: number,
    cj: number,
    ck: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    k0: number,
    k1: number,
    cx: number,
    cy: number,
  ): void {
    this.words = this.exports.classifyCell(ci, cj, ck, i0, i1, j0, j1, k0, k1, cx, cy, 0, this.out);
    this.at = this.out >> 2;
  }

  /** The next labelled voxel's crop index (its labels in this VoxelLabelSet), or −1 when the cell is done. */
  next(): number {
    const a = this.i32;
    let at = this.at;
    if (at >= (this.out >> 2) + this.words) return -1;
    const n = a[at] as number;
    const ties = a[at + 1] as number;
    at += 2;
    for (let t = 0; t < ties; t++, at += 2) {
      this.tieVoi[t] = a[at] as number;
      this.tieRing[t] = a[at + 1] as number;
    }
    const hits = a[at++] as number;
    for (let q = 0; q < hits; q++) this.lesionHits[q] = a[at++] as number;
    this.tieCount = ties;
    this.lesionCount = hits;
    this.at = at;
    return n;
  }
}
