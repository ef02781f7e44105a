/**
 * Connected parts of the coronary mask (26-connectivity, as a vessel one voxel wide diagonally is
 * still one vessel), and the repair of one-voxel gaps that segmentations leave across a vessel
 * (a stenosis, a motion step): a part with no ostium of its own whose voxels come within
 * `gapMm` of another part is joined to it by filling the straight voxel lines between the two
 * faces — only the gap, never a detour.
 */
import type { Crop } from './crop';
import { cropIjk, neighbours26 } from './crop';

export interface Components {
  /** Component id per crop voxel (1-based), 0 outside the mask. */
  readonly label: Int32Array;
  /** Voxel count per id (index 0 unused). */
  readonly size: number[];
}

export function labelComponents(c: Crop): Components {
  const label = new Int32Array(c.mask.length);
  const size = [0];
  const nb = neighbours26(c).off;
  const stack = new Int32Array(c.mask.length);
  for (let v = 0; v < c.mask.length; v++) {
    if (c.mask[v] === 0 || label[v] !== 0) continue;
    const id = size.length;
    let top = 0;
    let n = 0;
    stack[top++] = v;
    label[v] = id;
    while (top > 0) {
      const u = stack[--top] as number;
      n++;
      for (let k = 0; k < 26; k++) {
        const w = u + (nb[k] as number);
        if (c.mask[w] !== 0 && label[w] === 0) {
          label[w] = id;
          stack[top++] = w;
        }
      }
    }
    size.push(n);
  }
  return { label, size };
}

/**
 * Joins component `from` to whichever other component its voxels come closest to, when that is
 * within `gapMm`: fills the voxels on the segments between every close pair. Returns the id it
 * was joined to, or 0 when no other component is that close. Mutates c.mask.
 */
export function bridgeGap(c: Crop, comps: Components, from: number, gapMm: number): number {
  const [nx, ny] = c.dims;
  const sp = c.spacing;
  const reach = [0, 1, 2].map((a) => Math.ceil(gapMm / (sp[a] as number)));
  const pairs: [number, number, number][] = [];
  let bestId = 0;
  let bestD = Infinity;
  for (let v = 0; v < comps.label.length; v++) {
    if (comps.label[v] !== from) continue;
    const [i, j, k] = cropIjk(c, v);
    for (let dk = -(reach[2] as number); dk <= (reach[2] as number); dk++)
      for (let dj = -(reach[1] as number); dj <= (reach[1] as number); dj++)
        for (let di = -(reach[0] as number); di <= (reach[0] as number); di++) {
          const ii = i + di;
          const jj = j + dj;
          const kk = k + dk;
          if (ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= c.dims[2]) continue;
          const w = ii + nx * (jj + ny * kk);
          const id = comps.label[w] as number;
          if (id === 0 || id === from) continue;
          const d = Math.hypot(di * sp[0], dj * sp[1], dk * sp[2]);
          if (d > gapMm) continue;
          pairs.push([v, w, id]);
          if (d < bestD) {
            bestD = d;
            bestId = id;
          }
        }
  }
  if (bestId === 0) return 0;
  // Fill only the shortest pairs to the chosen part (within one voxel of the closest distance).
  const tol = bestD + Math.max(sp[0], sp[1], sp[2]);
  for (const [v, w, id] of pairs) {
    if (id !== bestId) continue;
    const a = cropIjk(c, v);
    const b = cropIjk(c, w);
    const d = Math.hypot((b[0] - a[0]) * sp[0], (b[1] - a[1]) * sp[1], (b[2] - a[2]) * sp[2]);
    if (d > tol) continue;
    const steps = Math.ceil(Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]), Math.abs(b[2] - a[2])) * 2);
    for (let s = 1; s < steps; s++) {
      const f = s / steps;
      const i = Math.round(a[0] + f * (b[0] - a[0]));
      const j = Math.round(a[1] + f * (b[1] - a[1]));
      const k = Math.round(a[2] + f * (b[2] - a[2]));
      c.mask[i + nx * (j + ny * k)] = 1;
    }
  }
  return bestId;
}
