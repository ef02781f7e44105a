/**
 * Where a coronary component starts. The ostium is where the tree meets the aorta: the component's
 * voxels touching the aorta (an aorta mask, or else a thick ≥ 200 HU region of the CT next to
 * the component — thick, so the partial-volume rim of the contrast lumen itself does not count),
 * weighted by how many aortic neighbours each has (the opening faces the aorta; a vessel running
 * along the aortic wall only grazes it), averaged and snapped to the nearest touching voxel.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Crop } from './crop';
import { cropIjk, cropWorld, neighbours26 } from './crop';
import { dist } from './vec';
import type { Vec3 } from '../volume/geometry';

export type AortaTest = (cropVoxel: number, fromCropVoxel: number) => boolean;

function fullIndex(c: Crop, v: number): number {
  const [i, j, k] = cropIjk(c, v);
  const a = i + c.off[0];
  const b = j + c.off[1];
  const d = k + c.off[2];
  const [nx, ny, nz] = c.geometry.dims;
  if (a < 0 || b < 0 || d < 0 || a >= nx || b >= ny || d >= nz) return -1;
  return a + nx * (b + ny * d);
}

export function aortaFromMask(c: Crop, aorta: LabelVolume): AortaTest {
  return (v) => {
    const f = fullIndex(c, v);
    return f >= 0 && aorta.labels[f] !== 0;
  };
}

/** Contrast ≥ huMin filling most of a 3 mm ball 3.5 mm beyond the contact, away from the vessel. */
export function aortaFromContrast(c: Crop, ct: CtVolume, huMin = 200): AortaTest {
  const cache = new Map<number, boolean>();
  const [nx, ny, nz] = ct.dims;
  const sp = ct.spacing;
  return (v, from) => {
    if (c.mask[v] !== 0) return false;
    const f = fullIndex(c, v);
    if (f < 0 || (ct.hu[f] as number) < huMin) return false;
    const key = v * 27 + 13;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const a = cropIjk(c, v);
    const b = cropIjk(c, from);
    const dir = [a[0] - b[0], a[1] - b[1], a[2] - b[2]].map((d, i) => d * (sp[i] as number));
    const l = Math.hypot(dir[0] as number, dir[1] as number, dir[2] as number);
    const centre = [0, 1, 2].map(
      (i) => (a[i] as number) + (c.off[i] as number) + (3.5 * (dir[i] as number)) / l / (sp[i] as number),
    );
    let n = 0;
    let bright = 0;
    for (let dz = -3; dz <= 3; dz++)
      for (let dy = -3; dy <= 3; dy++)
        for (let dx = -3; dx <= 3; dx++) {
          if (dx * dx + dy * dy + dz * dz > 9) continue;
          const i = Math.round((centre[0] as number) + dx / sp[0]);
          const j = Math.round((centre[1] as number) + dy / sp[1]);
          const k = Math.round((centre[2] as number) + dz / sp[2]);
          n++;
          if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) continue;
          if ((ct.hu[i + nx * (j + ny * k)] as number) >= huMin) bright++;
        }
    const ok = bright >= 0.8 * n;
    cache.set(key, ok);
    return ok;
  };
}

/** The ostium voxel of a component (voxels listed), or −1 when it touches no aorta. */
export function findOstium(c: Crop, voxels: Int32Array, isAorta: AortaTest): number {
  const nb = neighbours26(c).off;
  const touching: number[] = [];
  const weights: number[] = [];
  for (const v of voxels) {
    let w = 0;
    for (let k = 0; k < 26; k++) {
      const u = v + (nb[k] as number);
      if (c.mask[u] === 0 && isAorta(u, v)) w++;
    }
    if (w > 0) {
      touching.push(v);
      weights.push(w * w);
    }
  }
  if (touching.length === 0) return -1;
  const m: Vec3 = [0, 0, 0];
  let sw = 0;
  touching.forEach((v, i) => {
    const p = cropWorld(c, v);
    const w = weights[i] as number;
    m[0] += w * p[0];
    m[1] += w * p[1];
    m[2] += w * p[2];
    sw += w;
  });
  const centre: Vec3 = [m[0] / sw, m[1] / sw, m[2] / sw];
  let best = touching[0] as number;
  let bestD = Infinity;
  for (const v of touching) {
    const d = dist(cropWorld(c, v), centre);
    if (d < bestD) {
      bestD = d;
      best = v;
    }
  }
  return best;
}
