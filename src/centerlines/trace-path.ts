/**
 * The minimal path between two clicked points through the contrast lumen: A* (Dijkstra with a
 * straight-line bound) on the 26-neighbourhood of a crop around the two points, steps weighted by
 * their true anisotropic length in mm.
 *
 * Cost per mm of a voxel: inside the lumen (level ≤ HU < calcium) 1/(ε + depth)², depth = mm to the
 * nearest non-lumen voxel (an exact distance transform, capped), so the path is drawn to the
 * vessel's middle, not along its wall or round the inside of a bend; outside the lumen a high cost
 * that grows as the HU drop below the boundary, so a path across a stenosis or a gap still takes
 * its brightest route. The crop is capped; a pair too far apart asks for a waypoint.
 */
import { PerifatError } from '../errors';
import { voxelToWorld, worldToVoxel, type Vec3 } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';
import { MinHeap } from './heap';
import type { EdtFn } from './from-mask';

export interface PathLumen {
  /** Lumen boundary HU (half-way between lumen and background). */
  readonly level: number;
  /** Lumen minus background HU (the contrast the outside cost is scaled by). */
  readonly contrast: number;
  /** At and above: calcium, not lumen. */
  readonly calciumHu: number;
}

export interface PathOptions {
  /** The exact EDT (src/kernels/edt: its CPU twin, or the GPU kernel): how deep each lumen voxel lies. */
  edt: EdtFn;
  /** Margin (mm) around the two points' bounding box (default 10). */
  marginMm?: number;
  /** Most voxels a crop may hold (default 8 M: ~140 MB of work arrays). */
  maxVoxels?: number;
  signal?: AbortSignal;
  /** For error messages. */
  label?: string;
}

export interface PathResult {
  /** Voxel centres from a to b (LPS mm), the end voxels included. */
  readonly points: Vec3[];
  readonly cropVoxels: number;
  readonly visited: number;
}

/** ε (mm) of the lumen cost 1/(ε + depth)²; also sets the outside cost 1/ε² per mm. */
const EPS_MM = 0.3;
/** Depth is capped here (mm): a big lumen (aorta) is no highway to shortcut through. */
const DEPTH_CAP_MM = 4;
const MIN_MARGIN_MM = 3;

interface Crop {
  lo: Vec3;
  size: Vec3;
}

function cropAround(ct: CtVolume, a: Vec3, b: Vec3, marginMm: number): Crop {
  const va = worldToVoxel(ct, a);
  const vb = worldToVoxel(ct, b);
  const lo: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let x = 0; x < 3; x++) {
    const r = marginMm / (ct.spacing[x] as number);
    const l = Math.max(0, Math.floor(Math.min(va[x] as number, vb[x] as number) - r));
    const h = Math.min((ct.dims[x] as number) - 1, Math.ceil(Math.max(va[x] as number, vb[x] as number) + r));
    lo[x] = l;
    size[x] = h - l + 1;
  }
  return { lo, size };
}

/** Per-voxel cost (per mm) over the crop. */
async function costField(ct: CtVolume, crop: Crop, lumen: PathLumen, edt: EdtFn): Promise<Float32Array> {
  const [cx, cy, cz] = crop.size;
  const [nx, ny] = ct.dims;
  const n = cx * cy * cz;
  // 1 on the voxels that are not lumen: the EDT then gives each lumen voxel its depth² (mm²).
  const notLumen = new Uint8Array(n);
  let m = 0;
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      const row = crop.lo[0] + nx * (crop.lo[1] + j + ny * (crop.lo[2] + k));
      for (let i = 0; i < cx; i++, m++) {
        const h = ct.hu[row + i] as number;
        notLumen[m] = h >= lumen.level && h < lumen.calciumHu ? 0 : 1;
      }
    }
  const d2 = Float32Array.from(await edt([cx, cy, cz], [...ct.spacing] as Vec3, notLumen));
  const outside = 1 / (EPS_MM * EPS_MM);
  const c = Math.max(1, lumen.contrast);
  m = 0;
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      const row = crop.lo[0] + nx * (crop.lo[1] + j + ny * (crop.lo[2] + k));
      for (let i = 0; i < cx; i++, m++) {
        const e = d2[m] as number;
        if (e > 0) {
          const depth = Math.min(DEPTH_CAP_MM, Math.sqrt(e));
          d2[m] = 1 / ((EPS_MM + depth) * (EPS_MM + depth));
        } else {
          const h = ct.hu[row + i] as number;
          // Calcium is dark for this purpose: as costly as fat.
          const below = h >= lumen.calciumHu ? 2 : Math.min(2, Math.max(0, (lumen.level - h) / c));
          d2[m] = outside * (1 + below);
        }
      }
    }
  return d2;
}

/** Minimal path from a to b (LPS mm, both inside the volume). */
export async function minimalPath(
  ct: CtVolume,
  a: Vec3,
  b: Vec3,
  lumen: PathLumen,
  opts: PathOptions,
): Promise<PathResult> {
  const maxVoxels = opts.maxVoxels ?? 8_000_000;
  let margin = opts.marginMm ?? 10;
  let crop = cropAround(ct, a, b, margin);
  const count = (c: Crop): number => c.size[0] * c.size[1] * c.size[2];
  while (count(crop) > maxVoxels && margin > MIN_MARGIN_MM) {
    margin = Math.max(MIN_MARGIN_MM, margin / 2);
    crop = cropAround(ct, a, b, margin);
  }
  if (count(crop) > maxVoxels) {
    const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    throw new PerifatError(
      'E_CENTERLINE',
      `trace ${opts.label ?? ''}: points ${d.toFixed(0)} mm apart need a ${count(crop)}-voxel search (most ${maxVoxels}); add a waypoint between them`,
      { file: ct.source },
    );
  }
  const cost = await costField(ct, crop, lumen, opts.edt);
  const [cx, cy, cz] = crop.size;
  const n = cx * cy * cz;
  const toLocal = (p: Vec3): number => {
    const v = worldToVoxel(ct, p);
    const i = Math.min(cx - 1, Math.max(0, Math.round(v[0]) - crop.lo[0]));
    const j = Math.min(cy - 1, Math.max(0, Math.round(v[1]) - crop.lo[1]));
    const k = Math.min(cz - 1, Math.max(0, Math.round(v[2]) - crop.lo[2]));
    return i + cx * (j + cy * k);
  };
  const start = toLocal(a);
  const goal = toLocal(b);
  const [sx, sy, sz] = ct.spacing;
  // 26 neighbours: offsets and step lengths (mm).
  const offs: [number, number, number, number][] = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++)
        if (di || dj || dk) offs.push([di, dj, dk, Math.hypot(di * sx, dj * sy, dk * sz)]);
  // Straight-line bound: no mm costs less than the deepest lumen's.
  const cmin = 1 / ((EPS_MM + DEPTH_CAP_MM) * (EPS_MM + DEPTH_CAP_MM));
  const gi = goal % cx;
  const gj = Math.floor(goal / cx) % cy;
  const gk = Math.floor(goal / (cx * cy));
  const h = (i: number, j: number, k: number): number => cmin * Math.hypot((i - gi) * sx, (j - gj) * sy, (k - gk) * sz);

  const g = new Float32Array(n).fill(Infinity);
  const prev = new Int32Array(n).fill(-1);
  const closed = new Uint8Array(n);
  const heap = new MinHeap();
  g[start] = 0;
  heap.push(0, start);
  let visited = 0;
  while (heap.size > 0) {
    const u = heap.pop();
    if (closed[u]) continue;
    closed[u] = 1;
    visited++;
    if (u === goal) break;
    if ((visited & 0xffff) === 0 && opts.signal?.aborted)
      throw new PerifatError('E_ABORTED', 'centerline tracing cancelled');
    const ui = u % cx;
    const uj = Math.floor(u / cx) % cy;
    const uk = Math.floor(u / (cx * cy));
    const gu = g[u] as number;
    const cu = cost[u] as number;
    for (const [di, dj, dk, len] of offs) {
      const i = ui + di;
      const j = uj + dj;
      const k = uk + dk;
      if (i < 0 || j < 0 || k < 0 || i >= cx || j >= cy || k >= cz) continue;
      const v = i + cx * (j + cy * k);
      if (closed[v]) continue;
      const gv = gu + (len * (cu + (cost[v] as number))) / 2;
      if (gv < (g[v] as number)) {
        g[v] = gv;
        prev[v] = u;
        heap.push(gv + h(i, j, k), v);
      }
    }
  }
  if (!closed[goal])
    throw new PerifatError('E_CENTERLINE', `trace ${opts.label ?? ''}: no path between the points`, {
      file: ct.source,
    });
  const local: number[] = [];
  for (let v = goal; v >= 0; v = prev[v] as number) local.push(v);
  local.reverse();
  const points = local.map((v): Vec3 =>
    voxelToWorld(ct, [
      crop.lo[0] + (v % cx),
      crop.lo[1] + (Math.floor(v / cx) % cy),
      crop.lo[2] + Math.floor(v / (cx * cy)),
    ]),
  );
  return { points, cropVoxels: n, visited };
}
