/**
 * TEASAR skeleton of one mask component (Sato et al. 2000, as kimimaro and VMTK-style tools do):
 * a Dijkstra from the root with plain step lengths gives every voxel its geodesic distance (DAF);
 * a second Dijkstra whose steps cost length × (1 + 5000·(1 − D/Dmax)^16), D the distance to the
 * wall, gives paths that hug the medial axis. Repeatedly the farthest voxel not yet covered is
 * joined to the tree along the penalised parents, and a ball of radius 1.5·D + 1 voxel around the
 * new path is marked covered — so every branch is found once and bumps of the wall are not.
 * A new path shorter than max(3 mm, 3·D at its attachment) is a spur: covered, not kept.
 */
import type { Crop } from './crop';
import { cropIjk, neighbours26 } from './crop';
import { MinHeap } from './heap';

export interface TeasarOptions {
  /** Spur: a branch shorter than max(spurMm, spurRadii · D(attach)) (defaults 3 mm, 3). */
  spurMm?: number;
  spurRadii?: number;
  /** Invalidation ball radius = ballScale · D + ballConst voxels (defaults 1.5, 1). */
  ballScale?: number;
  ballConstVoxels?: number;
}

export interface Skeleton {
  readonly root: number;
  /** Skeleton crop voxel → next voxel toward the root (root → −1). */
  readonly parent: Map<number, number>;
  readonly pops: number;
}

/** Dijkstra over the component's voxels; returns distances and parents (crop-indexed maps via `local`). */
function dijkstra(
  c: Crop,
  label: Int32Array,
  id: number,
  local: Int32Array,
  count: number,
  root: number,
  weight: (w: number) => number,
): { dist: Float64Array; parent: Int32Array; pops: number } {
  const nb = neighbours26(c);
  const dist = new Float64Array(count).fill(Infinity);
  const parent = new Int32Array(count).fill(-1);
  const heap = new MinHeap();
  dist[local[root] as number] = 0;
  heap.push(0, root);
  let pops = 0;
  while (heap.size > 0) {
    const key = heap.topKey();
    const u = heap.pop();
    const lu = local[u] as number;
    if (key > (dist[lu] as number)) continue;
    pops++;
    for (let k = 0; k < 26; k++) {
      const w = u + (nb.off[k] as number);
      if (label[w] !== id) continue;
      const lw = local[w] as number;
      const nd = key + (nb.len[k] as number) * weight(w);
      if (nd < (dist[lw] as number)) {
        dist[lw] = nd;
        parent[lw] = u;
        heap.push(nd, w);
      }
    }
  }
  return { dist, parent, pops };
}

/**
 * Skeleton of component `id` from `root`. `voxels` lists the component's crop voxels and `local`
 * maps a crop voxel of the component to its position in that list. D: distance to the wall (mm).
 */
export function teasar(
  c: Crop,
  label: Int32Array,
  id: number,
  voxels: Int32Array,
  local: Int32Array,
  D: Float32Array,
  root: number,
  opts: TeasarOptions = {},
): Skeleton {
  const n = voxels.length;
  let dmax = 0;
  for (let i = 0; i < n; i++) dmax = Math.max(dmax, D[voxels[i] as number] as number);
  const daf = dijkstra(c, label, id, local, n, root, () => 1);
  const pen = dijkstra(c, label, id, local, n, root, (w) => 1 + 5000 * Math.pow(1 - (D[w] as number) / dmax, 16));
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(daf.dist[i] as number));
  order.sort((a, b) => (daf.dist[b] as number) - (daf.dist[a] as number));

  const covered = new Uint8Array(n);
  const parent = new Map<number, number>([[root, -1]]);
  const sp = c.spacing;
  const vox = Math.min(sp[0], sp[1], sp[2]);
  const ballScale = opts.ballScale ?? 1.5;
  const ballConst = (opts.ballConstVoxels ?? 1) * vox;
  const [nx, ny, nz] = c.dims;

  // Voxels within ~D of a kept path join the tree at its nearest node: two paths whose parent
  // chains run side by side one voxel apart (a flat medial ridge) still meet where they should.
  const attachTo = new Int32Array(n).fill(-1);
  const attachD = new Float64Array(n).fill(Infinity);
  const claim = (path: number[]): void => {
    for (const u of path) {
      const [i, j, k] = cropIjk(c, u);
      const r = Math.max(0.9 * (D[u] as number), 1.01 * Math.max(sp[0], sp[1], sp[2]));
      const ri = Math.ceil(r / sp[0]);
      const rj = Math.ceil(r / sp[1]);
      const rk = Math.ceil(r / sp[2]);
      for (let kk = Math.max(0, k - rk); kk <= Math.min(nz - 1, k + rk); kk++)
        for (let jj = Math.max(0, j - rj); jj <= Math.min(ny - 1, j + rj); jj++)
          for (let ii = Math.max(0, i - ri); ii <= Math.min(nx - 1, i + ri); ii++) {
            const w = ii + nx * (jj + ny * kk);
            if (label[w] !== id) continue;
            const d = Math.hypot((ii - i) * sp[0], (jj - j) * sp[1], (kk - k) * sp[2]);
            const lw = local[w] as number;
            if (d <= r && d < (attachD[lw] as number)) {
              attachD[lw] = d;
              attachTo[lw] = u;
            }
          }
    }
  };

  const cover = (path: number[]): void => {
    let last: [number, number, number] | null = null;
    let lastR = 0;
    for (const u of path) {
      const [i, j, k] = cropIjk(c, u);
      const r = ballScale * (D[u] as number) + ballConst;
      // Consecutive balls overlap almost wholly: re-centre only every quarter radius.
      if (
        last &&
        Math.hypot((i - last[0]) * sp[0], (j - last[1]) * sp[1], (k - last[2]) * sp[2]) < 0.25 * Math.min(r, lastR) &&
        u !== path[path.length - 1]
      )
        continue;
      last = [i, j, k];
      lastR = r;

      const rj = Math.ceil(r / sp[1]);
      const rk = Math.ceil(r / sp[2]);
      for (let kk = Math.max(0, k - rk); kk <= Math.min(nz - 1, k + rk); kk++)
        for (let jj = Math.max(0, j - rj); jj <= Math.min(ny - 1, j + rj); jj++) {
          const dz = (kk - k) * sp[2];
          const dy = (jj - j) * sp[1];
          const rem = r * r - dz * dz - dy * dy;
          if (rem < 0) continue;
          const di = Math.floor(Math.sqrt(rem) / sp[0]);
          const row = nx * (jj + ny * kk);
          for (let ii = Math.max(0, i - di); ii <= Math.min(nx - 1, i + di); ii++) {
            const w = row + ii;
            if (label[w] === id) covered[local[w] as number] = 1;
          }
        }
    }
  };

  for (const li of order) {
    if (covered[li]) continue;
    const tip = voxels[li] as number;
    const path: number[] = [];
    let u = tip;
    let lenMm = 0;
    while (!parent.has(u)) {
      path.push(u);
      const t = attachTo[local[u] as number] as number;
      if (t >= 0) {
        u = t;
        break;
      }
      const p = pen.parent[local[u] as number] as number;
      if (p < 0) break;
      const a = cropIjk(c, u);
      const b = cropIjk(c, p);
      lenMm += Math.hypot((a[0] - b[0]) * sp[0], (a[1] - b[1]) * sp[1], (a[2] - b[2]) * sp[2]);
      u = p;
    }
    const attach = u;
    const first = parent.size === 1;
    const spur = !first && lenMm < Math.max(opts.spurMm ?? 3, (opts.spurRadii ?? 3) * (D[attach] as number));
    if (!spur) {
      for (let i = 0; i < path.length; i++)
        parent.set(path[i] as number, i + 1 < path.length ? (path[i + 1] as number) : attach);
      claim(path);
    }
    covered[li] = 1;
    cover(path);
  }
  return { root, parent, pops: daf.pops + pen.pops };
}
