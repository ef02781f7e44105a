/**
 * The cells of the candidate index where a voxel can get a label (Candidates.mayLabel), as compact
 * lists: the work the f32 shell kernels do. Every other cell holds no voxel that can be labelled,
 * so they skip it as the CPU backend does (src/shells/classify.ts) — with an oblique tree in a
 * 512×512×300 crop, about one cell in eight is live.
 *
 * A chunk is a run of live cells of one z-slab of the crop whose per-entry buffers (the kernels'
 * state, 16 bytes per entry) fit one storage binding. Entry t of a chunk is voxel t mod V of cell
 * cells[first + ⌊t / V⌋] (V = voxels per cell, x fastest, then y, then z); an entry outside the crop
 * or outside its slab's slices is void (a cell on a slab boundary appears in both slabs, each
 * taking its own slices), so every voxel of a live cell is one valid entry of exactly one chunk.
 * GPU-free: the kernels' CPU twins and the host read the same layout.
 */
import type { Vec3 } from '../volume/geometry';
import type { Candidates, CellGrid } from './candidates';

export interface LiveChunk {
  /** The slab's crop slices [z0, z1): entries outside them are void. */
  readonly z0: number;
  readonly z1: number;
  /** Index of the slab the chunk belongs to (the order of the slabs given to liveLayout). */
  readonly slab: number;
  /** Its cells: cells[first … first + count). */
  readonly first: number;
  readonly count: number;
}

export interface LiveLayout {
  readonly grid: CellGrid;
  /** Voxels per cell (V): entries per live cell. */
  readonly cellVoxels: number;
  /** Cell indices of every chunk, one after the other (ascending within a chunk). */
  readonly cells: Uint32Array;
  readonly chunks: readonly LiveChunk[];
  /** Live cells of the crop (each counted once, whatever the slabs). */
  readonly liveCells: number;
  /** Crop voxels in live cells: the valid entries of all chunks together. */
  readonly liveVoxels: number;
}

/** Crop coordinates of the first voxel of cell `cell` (cells x fastest, then y, then z). */
export function cellOrigin(grid: CellGrid, cell: number): Vec3 {
  const [gx, gy] = grid.counts;
  const [nx, ny, nz] = grid.size;
  return [(cell % gx) * nx, (Math.floor(cell / gx) % gy) * ny, Math.floor(cell / (gx * gy)) * nz];
}

/**
 * The uniform fields by which the shell kernels (shell_nearest, shell_labels, shell_counts) decode
 * an entry of `chunk` into its voxel: the chunk's entries, the crop size, the cell size, cells per
 * row and slice, the chunk's first live cell (word `liveOffset + chunk.first` of the kernels'
 * tables, where the live cells start at `liveOffset`), voxels per cell and the slab's slices.
 */
export function entryDecoding(
  cropDims: Vec3,
  layout: LiveLayout,
  chunk: LiveChunk,
  liveOffset: number,
): Record<string, number> {
  const { size, counts } = layout.grid;
  return {
    entries: chunk.count * layout.cellVoxels,
    cx: cropDims[0],
    cy: cropDims[1],
    nx: size[0],
    ny: size[1],
    nz: size[2],
    gx: counts[0],
    gy: counts[1],
    liveOffset: liveOffset + chunk.first,
    cellVoxels: layout.cellVoxels,
    z0: chunk.z0,
    z1: chunk.z1,
  };
}

/** Voxels of cell `cell` inside the crop (partial cells at the crop's far faces hold fewer). */
export function cellVoxelsInCrop(grid: CellGrid, cropDims: Vec3, cell: number): number {
  const [i0, j0, k0] = cellOrigin(grid, cell);
  const [nx, ny, nz] = grid.size;
  return (
    (Math.min(cropDims[0], i0 + nx) - i0) *
    (Math.min(cropDims[1], j0 + ny) - j0) *
    (Math.min(cropDims[2], k0 + nz) - k0)
  );
}

/**
 * Live cells and the crop voxels in them (the work both backends' classification visits), over the
 * whole grid or the cells of `cellRange`.
 */
export function liveWork(
  cands: Pick<Candidates, 'grid' | 'mayLabel'>,
  cropDims: Vec3,
  cellRange: readonly [number, number] = [0, cands.grid.cells],
): { cells: number; liveCells: number; voxels: number } {
  let liveCells = 0;
  let voxels = 0;
  for (let c = cellRange[0]; c < cellRange[1]; c++) {
    if (cands.mayLabel[c] !== 1) continue;
    liveCells++;
    voxels += cellVoxelsInCrop(cands.grid, cropDims, c);
  }
  return { cells: cands.grid.cells, liveCells, voxels };
}

/**
 * The chunks of live cells of each slab (slices [z0, z1) of the crop, in order), each at most
 * `maxCells` cells; with `spread`, also at most about `spread.chunks` chunks over the crop, but none
 * cut below `spread.minCells` cells (a caller that reports progress per chunk).
 */
export function liveLayout(
  cands: Candidates,
  cropDims: Vec3,
  slabs: readonly { readonly z0: number; readonly z1: number }[],
  maxCells: number,
  spread?: { readonly chunks: number; readonly minCells: number },
): LiveLayout {
  const { grid } = cands;
  const [gx, gy, gz] = grid.counts;
  const nz = grid.size[2];
  const perSlice = gx * gy;
  const work = liveWork(cands, cropDims);
  const even = spread ? Math.max(spread.minCells, Math.ceil(work.liveCells / spread.chunks)) : Infinity;
  const chunk = Math.max(1, Math.floor(Math.min(maxCells, even)));
  const cells: number[] = [];
  const chunks: LiveChunk[] = [];
  slabs.forEach((s, slab) => {
    const ck0 = Math.floor(s.z0 / nz);
    const ck1 = Math.min(gz, Math.ceil(s.z1 / nz));
    let first = cells.length;
    for (let c = ck0 * perSlice; c < ck1 * perSlice; c++) {
      if (cands.mayLabel[c] !== 1) continue;
      cells.push(c);
      if (cells.length - first === chunk) {
        chunks.push({ z0: s.z0, z1: s.z1, slab, first, count: chunk });
        first = cells.length;
      }
    }
    if (cells.length > first) chunks.push({ z0: s.z0, z1: s.z1, slab, first, count: cells.length - first });
  });
  return {
    grid,
    cellVoxels: grid.size[0] * grid.size[1] * grid.size[2],
    cells: Uint32Array.from(cells),
    chunks,
    liveCells: work.liveCells,
    liveVoxels: work.voxels,
  };
}

/**
 * Crop index of entry t of a chunk, or -1 when the entry is void (the decoding the kernels do).
 */
export function entryVoxel(layout: LiveLayout, cropDims: Vec3, chunk: LiveChunk, t: number): number {
  const V = layout.cellVoxels;
  const [nx, ny] = layout.grid.size;
  const [i0, j0, k0] = cellOrigin(layout.grid, layout.cells[chunk.first + Math.floor(t / V)] as number);
  const r = t % V;
  const i = i0 + (r % nx);
  const j = j0 + (Math.floor(r / nx) % ny);
  const k = k0 + Math.floor(r / (nx * ny));
  if (i >= cropDims[0] || j >= cropDims[1] || k < chunk.z0 || k >= chunk.z1) return -1;
  return i + cropDims[0] * (j + cropDims[1] * k);
}

/**
 * The crop's HU at every entry of a chunk (0 at a void entry), entry order: what the shell_counts
 * kernel reads instead of the crop's HU, so that its reads are contiguous and only the live cells'
 * voxels travel to the GPU. Even length (the kernel reads two int16 per word). entryVoxel's decoding,
 * a cell's rows at a time (no division per entry).
 */
export function entryHu(layout: LiveLayout, cropDims: Vec3, chunk: LiveChunk, hu: Int16Array): Int16Array {
  const V = layout.cellVoxels;
  const out = new Int16Array(chunk.count * V + ((chunk.count * V) & 1));
  const [nx, ny, nz] = layout.grid.size;
  const [cx, cy] = cropDims;
  let t = 0;
  for (let n = 0; n < chunk.count; n++) {
    const [i0, j0, k0] = cellOrigin(layout.grid, layout.cells[chunk.first + n] as number);
    for (let k = k0; k < k0 + nz; k++) {
      for (let j = j0; j < j0 + ny; j++) {
        const valid = k >= chunk.z0 && k < chunk.z1 && j < cy;
        const row = cx * (j + cy * k);
        for (let i = i0; i < i0 + nx; i++, t++) if (valid && i < cx) out[t] = hu[row + i] as number;
      }
    }
  }
  return out;
}
