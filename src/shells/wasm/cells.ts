/**
 * Host of the WebAssembly twin of a share's float64 classification (cells.as.ts): lays the plan
 * out in the module's memory, builds the share's candidate index there (the lists of
 * buildCandidateSteps with liveOnly, bit for bit), then classifies a cell per call and hands back
 * the records of the voxels that got a label. The records hold exactly what BoundedShells.label()
 * leaves (the guard aside), so classify.ts places and counts them as it does the JS twin's. Where
 * WebAssembly is missing or refused (a page whose CSP forbids it) WasmShare.create returns null
 * and the JS twins run: same labels, slower.
 */
import { RING_COUNT, RING_WIDTH_MM } from '../../measure/pericoronary-types';
import { ROUND_MM } from '../bounded';
import { type CellGrid, cellGrid, labelArcFlags } from '../candidates';
import { BAND_MM, BOUND_SLACK_MM } from '../constants';
import type { VoxelLabelSet } from '../layers';
import { type ShellPlan, WORLD_WORDS } from '../plan';
import { CELLS_WASM_BASE64 } from './cells.wasm';

interface CellsExports {
  init(hdr: number): void;
  evaluated(): number;
  candidates(): number;
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
/** Bytes per candidate record (CAND_BYTES of cells.as.ts). */
const CAND_BYTES = 20;
/** Room for candidates at the start (the module doubles it as needed). */
const CAND_START = 1 << 16;

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
}

/** Header: 64 i32 words (offsets and counts), then f64 constants from byte 256. */
const HEADER_BYTES = 512;

export class WasmShare implements VoxelLabelSet {
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
  private readonly out: number;
  private readonly may: number;
  private readonly cellBase: number;
  private words = 0;
  private at = 0;
  private flags: Uint8Array | null = null;

  private constructor(
    module: WebAssembly.Module,
    private readonly plan: ShellPlan,
    private readonly zCells: readonly [number, number],
  ) {
    const grid = cellGrid(plan);
    this.grid = grid;
    const V = plan.vessels.length;
    const P = plan.parts.length;
    const L = plan.lesions.length;
    const segs = plan.world.length / WORLD_WORDS;
    const pathLen = plan.vessels.reduce((n, v) => n + v.parts.length, 0);
    const longest = Math.max(1, ...plan.parts.map((p) => p.segCount));
    const layerCells = grid.counts[0] * grid.counts[1];
    const [z0, z1] = zCells;
    const cells = (z1 - z0) * layerCells;
    this.cellBase = z0 * layerCells;
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
      // A record per voxel at most: n, tieCount, voi and ring per vessel, lesionCount, lesions.
      out: lay.take(nx * ny * nz * (3 + 2 * V + L) * 4),
      // The candidates go last: the module grows the memory for them.
      cand: lay.take(0),
    };
    const memory = new WebAssembly.Memory({ initial: Math.ceil((lay.size + CAND_START * CAND_BYTES) / 65536) });
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
      this.cellBase,
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
      z0,
      z1,
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
    this.out = at.out;
    this.may = at.may;
    this.tieVoi = new Int32Array(V);
    this.tieRing = new Int32Array(V);
    this.lesionHits = new Int32Array(L);
  }

  /**
   * The twin for the share of cell slices zCells (null where WebAssembly is unavailable, or for a
   * plan whose lesion labels are not 1 + their index).
   */
  static create(plan: ShellPlan, zCells: readonly [number, number]): WasmShare | null {
    const module = cellsModule();
    if (!module || plan.lesions.some((l, n) => l.label !== n + 1)) return null;
    const gz = cellGrid(plan).counts[2];
    try {
      return new WasmShare(module, plan, [Math.min(gz, zCells[0]), Math.min(gz, zCells[1])]);
    } catch {
      return null;
    }
  }

  /** Builds the share's index, row of blocks by row, yielding the fraction done after each. */
  *build(): Generator<number> {
    const [, gy, gz] = this.grid.counts;
    const [ck0, ck1] = this.zCells;
    const bk0 = Math.floor(ck0 / BLOCK) * BLOCK;
    const rows = Math.max(1, Math.ceil((Math.min(gz, ck1) - bk0) / BLOCK) * Math.ceil(gy / BLOCK));
    let row = 0;
    for (let bk = bk0; bk < Math.min(gz, ck1); bk += BLOCK) {
      for (let bj = 0; bj < gy; bj += BLOCK) {
        this.exports.buildRow(bk, bj);
        yield ++row / rows;
      }
    }
    // The candidates may have grown the memory: a fresh view of it.
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Entries of the share's index. */
  get candidates(): number {
    return this.exports.candidates();
  }

  /** Segment projections evaluated so far. */
  get evaluations(): number {
    return this.exports.evaluated();
  }

  /** The grid's mayLabel flags (Candidates.mayLabel) of the share's cells, 0 elsewhere (after build). */
  mayLabel(): Uint8Array {
    if (this.flags) return this.flags;
    const flags = new Uint8Array(this.grid.cells);
    this.flags = flags;
    const n = (this.zCells[1] - this.zCells[0]) * this.grid.counts[0] * this.grid.counts[1];
    flags.set(new Uint8Array(this.memory.buffer, this.may, n), this.cellBase);
    return flags;
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
