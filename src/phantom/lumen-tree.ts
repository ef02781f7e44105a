/**
 * A coronary lumen MASK with known centerlines, for testing centerline derivation: the tortuous
 * tree of tree.ts (RCA; left main stem → LAD, LCx, optionally RI, each given from the ostium),
 * cut to a length, rasterised at any spacing (a voxel is lumen when its centre lies within r(s) of
 * the true polyline, r interpolated linearly), with the defects real segmentations have: flipped
 * boundary voxels, a one-voxel gap, a touching vein-like tube, and an aortic root the ostia open
 * into (its own mask too, and both painted into a small CT at contrast HU).
 *
 * The grid is the tree's bounding box plus a margin, so a test volume holds only what it needs: a
 * few million voxels at 0.3 mm. The heart can be turned about z and the grid given oblique
 * direction cosines, so a test sees a patient and a scan that are not aligned with LPS.
 */
import type { Mat3, Vec3 } from '../volume/geometry';
import { IDENTITY3 } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Vessel } from '../volume/vessels';
import { arcLengths } from '../volume/vessels';
import { Rng } from './rng';
import { buildTree } from './tree';

export interface LumenTreeOptions {
  seed: number;
  /** 2: LAD + LCx; 3: also RI (default 2). */
  branches?: 2 | 3;
  /** Voxel size (mm): one number for isotropic. */
  spacing: number | Vec3;
  /** Heart scale (default 1: a 40 × 36 × 44 mm ellipsoid). */
  scale?: number;
  /** Keep each vessel's first `maxLengthMm` from the ostium (default 60). */
  maxLengthMm?: number;
  /** Fraction of boundary voxels (inside and outside) flipped (default 0). */
  boundaryNoise?: number;
  /** Remove a slab one voxel thick across a vessel at an arc length from its ostium. */
  gap?: { vessel: string; atMm: number } | null;
  /** A tube of about the vessel's radius touching it over `lengthMm` (default 12) from `atMm`. */
  vein?: { vessel: string; atMm: number; lengthMm?: number } | null;
  /** Aortic root radius (mm, default 13; grown by up to 8 mm when the ostia need it); null: no aorta. */
  aortaRadiusMm?: number | null;
  /** Turn the whole heart about the z axis through its centre (degrees, default 0). */
  rotateZDeg?: number;
  /** Direction cosines of the grid (row-major, orthonormal; default identity): an oblique scan. */
  direction?: Mat3;
  /** Margin around the tree (mm, default 4). */
  marginMm?: number;
  /** HU of lumen and aorta in the CT (default 350) and of everything else (default -100). */
  lumenHu?: number;
  backgroundHu?: number;
}

export interface LumenTree {
  mask: LabelVolume;
  aorta: LabelVolume | null;
  ct: CtVolume;
  /** True centerlines (RCA, LAD, LCx, RI), each from its ostium, cut to maxLengthMm. */
  vessels: Vessel[];
  ostia: { side: 'right' | 'left'; point: Vec3 }[];
  /** The aortic root as a capsule: bottom centre, axis (unit), radius, length (mm). */
  aortaShape: { centre: Vec3; axis: Vec3; radius: number; length: number } | null;
}

type Seg = { a: Vec3; b: Vec3; ra: number; rb: number };

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const unit = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** The vessel's first `lengthMm` (the cut point interpolated, radii too). */
export function cutVessel(v: Vessel, lengthMm: number): Vessel {
  const s = arcLengths(v.points);
  const pts: Vec3[] = [];
  const radii: number[] = [];
  for (let i = 0; i < v.points.length; i++) {
    const si = s[i] as number;
    if (si <= lengthMm) {
      pts.push([...(v.points[i] as Vec3)]);
      radii.push(v.radii[i] as number);
      continue;
    }
    const f = (lengthMm - (s[i - 1] as number)) / (si - (s[i - 1] as number));
    const a = v.points[i - 1] as Vec3;
    const b = v.points[i] as Vec3;
    if (f > 1e-6) {
      pts.push([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])]);
      radii.push((v.radii[i - 1] as number) + f * ((v.radii[i] as number) - (v.radii[i - 1] as number)));
    }
    break;
  }
  return { name: v.name, points: pts, radii };
}

function segmentsOf(v: Vessel): Seg[] {
  const out: Seg[] = [];
  for (let i = 1; i < v.points.length; i++)
    out.push({
      a: v.points[i - 1] as Vec3,
      b: v.points[i] as Vec3,
      ra: v.radii[i - 1] as number,
      rb: v.radii[i] as number,
    });
  return out;
}

/** Distance from p to the capsule (segment c → c + axis·length, radius R); < 0 inside. */
function capsuleDistance(p: Vec3, c: Vec3, axis: Vec3, length: number, R: number): number {
  const t = Math.min(length, Math.max(0, dot(sub(p, c), axis)));
  const q: Vec3 = [c[0] + t * axis[0], c[1] + t * axis[1], c[2] + t * axis[2]];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) - R;
}

/**
 * An aortic root (capsule along +z) with both ostia on its round bottom, placed so the vessels
 * leave it as outward as possible and no lumen past its first 4 mm reaches into it.
 */
function placeAorta(vessels: Vessel[], R: number): LumenTree['aortaShape'] {
  const rca = vessels.find((v) => v.name === 'RCA') as Vessel;
  const left = vessels.find((v) => v.name !== 'RCA') as Vessel;
  const oR = rca.points[0] as Vec3;
  const oL = left.points[0] as Vec3;
  const tR = unit(sub(rca.points[Math.min(6, rca.points.length - 1)] as Vec3, oR));
  const tL = unit(sub(left.points[Math.min(6, left.points.length - 1)] as Vec3, oL));
  const mid: Vec3 = [(oR[0] + oL[0]) / 2, (oR[1] + oL[1]) / 2, (oR[2] + oL[2]) / 2];
  const half = Math.hypot(...sub(oL, oR)) / 2;
  if (half >= R) return null;
  const w = unit(sub(oL, oR));
  const [e1, e2] = ((): [Vec3, Vec3] => {
    const h: Vec3 = Math.abs(w[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
    const a = unit(cross(w, h));
    return [a, cross(w, a)];
  })();
  const rho = Math.sqrt(R * R - half * half);
  const length = 30;
  let best: { c: Vec3; axis: Vec3; score: number } | null = null;
  for (let deg = 0; deg < 360; deg += 2) {
    const a = (deg * Math.PI) / 180;
    const c: Vec3 = [0, 1, 2].map(
      (i) => (mid[i] as number) + rho * (Math.cos(a) * (e1[i] as number) + Math.sin(a) * (e2[i] as number)),
    ) as Vec3;
    // The ascending part leaves away from the heart (centre at 0): both ostia on the round bottom.
    const axis = unit(c);
    if (dot(sub(oR, c), axis) > 0 || dot(sub(oL, c), axis) > 0) continue;
    const score = Math.min(dot(tR, sub(oR, c)), dot(tL, sub(oL, c))) / R;
    if (best && score <= best.score) continue;
    let clash = false;
    for (const v of vessels) {
      const s = arcLengths(v.points);
      v.points.forEach((p, i) => {
        if ((s[i] as number) > 4 && capsuleDistance(p, c, axis, length, R) < (v.radii[i] as number)) clash = true;
      });
    }
    if (!clash) best = { c, axis, score };
  }
  return best ? { centre: best.c, axis: best.axis, radius: R, length } : null;
}

export function makeLumenTree(o: LumenTreeOptions): LumenTree {
  const spacing: Vec3 = typeof o.spacing === 'number' ? [o.spacing, o.spacing, o.spacing] : o.spacing;
  const rng = new Rng(o.seed * 31 + 5);
  const tree = buildTree({
    centre: [0, 0, 0],
    scale: o.scale ?? 1,
    branchesFrom: 'ostium',
    branches: o.branches ?? 2,
    seed: o.seed,
    source: 'lumen-tree',
  });
  const turn = ((o.rotateZDeg ?? 0) * Math.PI) / 180;
  const rotZ = (p: Vec3): Vec3 => [
    Math.cos(turn) * p[0] - Math.sin(turn) * p[1],
    Math.sin(turn) * p[0] + Math.cos(turn) * p[1],
    p[2],
  ];
  const vessels = tree.vessels
    .map((v) => cutVessel(v, o.maxLengthMm ?? 60))
    .map((v) => (turn === 0 ? v : { ...v, points: v.points.map(rotZ) }));
  // The grid is laid out in its own frame (LPS = D · frame): rasterise there, place it by D.
  const D = o.direction ?? IDENTITY3;
  const toFrame = (p: Vec3): Vec3 => [
    D[0] * p[0] + D[3] * p[1] + D[6] * p[2],
    D[1] * p[0] + D[4] * p[1] + D[7] * p[2],
    D[2] * p[0] + D[5] * p[1] + D[8] * p[2],
  ];
  const fromFrame = (q: Vec3): Vec3 => [
    D[0] * q[0] + D[1] * q[1] + D[2] * q[2],
    D[3] * q[0] + D[4] * q[1] + D[5] * q[2],
    D[6] * q[0] + D[7] * q[1] + D[8] * q[2],
  ];
  // The ostia must sit on the root's round bottom: a large heart (scale 1.6) has them ~29 mm
  // apart, which a 15 mm root only just spans with no room to turn. Like a real aortic root (its
  // sinuses are wider than the tube above), the radius grows by 1 mm steps, up to 8 mm, until one
  // fits; aortaShape.radius says which did.
  let aortaShape: LumenTree['aortaShape'] = null;
  if (o.aortaRadiusMm !== null) {
    const R0 = o.aortaRadiusMm ?? 13;
    for (let grow = 0; grow <= 8 && !aortaShape; grow++) aortaShape = placeAorta(vessels, R0 + grow);
    if (!aortaShape) throw new RangeError('no aortic root fits this tree');
  }

  const segs: Seg[] = vessels.flatMap(segmentsOf);
  // Vein: the vessel's points over [atMm, atMm + length] shifted sideways by the two radii.
  if (o.vein) {
    const v = vessels.find((x) => x.name === o.vein?.vessel);
    if (!v) throw new RangeError(`no vessel ${o.vein.vessel}`);
    const s = arcLengths(v.points);
    const len = o.vein.lengthMm ?? 12;
    const pts: Vec3[] = [];
    const radii: number[] = [];
    v.points.forEach((p, i) => {
      const si = s[i] as number;
      if (si < o.vein!.atMm || si > o.vein!.atMm + len) return;
      const t = unit(sub(v.points[Math.min(i + 1, v.points.length - 1)] as Vec3, v.points[Math.max(0, i - 1)] as Vec3));
      const n = unit(cross(t, [0.3, 0.4, 0.86]));
      const r = v.radii[i] as number;
      const rv = 0.9 * r;
      const off = r + rv - 0.2;
      pts.push([p[0] + off * n[0], p[1] + off * n[1], p[2] + off * n[2]]);
      radii.push(rv);
    });
    segs.push(...segmentsOf({ name: 'vein', points: pts, radii }));
  }

  const segsF = segs.map((g) => ({ ...g, a: toFrame(g.a), b: toFrame(g.b) }));
  // Grid: bounding box of the lumens plus the margin (in the grid's frame).
  const margin = o.marginMm ?? 4;
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const g of segsF)
    for (const [p, r] of [
      [g.a, g.ra],
      [g.b, g.rb],
    ] as [Vec3, number][])
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a] as number, (p[a] as number) - r - margin);
        hi[a] = Math.max(hi[a] as number, (p[a] as number) + r + margin);
      }
  const dims = [0, 1, 2].map(
    (a) => Math.ceil(((hi[a] as number) - (lo[a] as number)) / (spacing[a] as number)) + 1,
  ) as Vec3;
  const geometry = { dims, spacing, origin: fromFrame(lo), direction: D };
  const [nx, ny, nz] = dims;
  const lumen = new Uint8Array(nx * ny * nz);
  for (const g of segsF) {
    const r = Math.max(g.ra, g.rb);
    const i0 = [0, 1, 2].map((a) =>
      Math.max(0, Math.floor((Math.min(g.a[a] as number, g.b[a] as number) - r - lo[a]!) / spacing[a]!)),
    );
    const i1 = [0, 1, 2].map((a) =>
      Math.min(dims[a]! - 1, Math.ceil((Math.max(g.a[a] as number, g.b[a] as number) + r - lo[a]!) / spacing[a]!)),
    );
    const ab = sub(g.b, g.a);
    const l2 = dot(ab, ab);
    for (let k = i0[2]!; k <= i1[2]!; k++)
      for (let j = i0[1]!; j <= i1[1]!; j++)
        for (let i = i0[0]!; i <= i1[0]!; i++) {
          const p: Vec3 = [lo[0] + i * spacing[0], lo[1] + j * spacing[1], lo[2] + k * spacing[2]];
          const ap = sub(p, g.a);
          const t = l2 > 0 ? Math.min(1, Math.max(0, dot(ap, ab) / l2)) : 0;
          const d = Math.hypot(ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]);
          if (d <= g.ra + t * (g.rb - g.ra)) lumen[i + nx * (j + ny * k)] = 1;
        }
  }

  if (o.gap) {
    const v = vessels.find((x) => x.name === o.gap?.vessel);
    if (!v) throw new RangeError(`no vessel ${o.gap.vessel}`);
    const s = arcLengths(v.points);
    let m = 0;
    while (m < v.points.length - 2 && (s[m + 1] as number) < o.gap.atMm) m++;
    const c = toFrame(v.points[m] as Vec3);
    const t = toFrame(unit(sub(v.points[m + 1] as Vec3, v.points[Math.max(0, m - 1)] as Vec3)));
    const r = (v.radii[m] as number) + 1;
    // One voxel thick, measured along the largest voxel step the slab's normal sees.
    const h =
      0.5 *
      Math.max(
        Math.abs(t[0]) * spacing[0] + Math.abs(t[1]) * spacing[1] + Math.abs(t[2]) * spacing[2],
        Math.max(...spacing),
      );
    for (let v2 = 0; v2 < lumen.length; v2++) {
      if (lumen[v2] === 0) continue;
      const i = v2 % nx;
      const j = Math.floor(v2 / nx) % ny;
      const k = Math.floor(v2 / (nx * ny));
      const p = sub([lo[0] + i * spacing[0], lo[1] + j * spacing[1], lo[2] + k * spacing[2]], c);
      const along = dot(p, t);
      if (Math.abs(along) <= h && Math.hypot(p[0] - along * t[0], p[1] - along * t[1], p[2] - along * t[2]) <= r)
        lumen[v2] = 0;
    }
  }

  if ((o.boundaryNoise ?? 0) > 0) {
    const flip: number[] = [];
    const strides = [1, nx, nx * ny];
    for (let k = 1; k < nz - 1; k++)
      for (let j = 1; j < ny - 1; j++)
        for (let i = 1; i < nx - 1; i++) {
          const v2 = i + nx * (j + ny * k);
          const m = lumen[v2] as number;
          let boundary = false;
          for (const st of strides) if (lumen[v2 + st] !== m || lumen[v2 - st] !== m) boundary = true;
          if (boundary && rng.next() < (o.boundaryNoise as number)) flip.push(v2);
        }
    for (const v2 of flip) lumen[v2] = 1 - (lumen[v2] as number);
  }

  const aorta = aortaShape ? new Uint8Array(lumen.length) : null;
  if (aorta && aortaShape) {
    const ac = toFrame(aortaShape.centre);
    const ax = toFrame(aortaShape.axis);
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          const p: Vec3 = [lo[0] + i * spacing[0], lo[1] + j * spacing[1], lo[2] + k * spacing[2]];
          if (capsuleDistance(p, ac, ax, aortaShape.length, aortaShape.radius) <= 0) {
            const v2 = i + nx * (j + ny * k);
            aorta[v2] = 1;
            lumen[v2] = 0;
          }
        }
  }
  const hu = new Int16Array(lumen.length).fill(o.backgroundHu ?? -100);
  for (let v2 = 0; v2 < hu.length; v2++) if (lumen[v2] || (aorta && aorta[v2])) hu[v2] = o.lumenHu ?? 350;
  const name = `lumen-tree-${o.seed}`;
  return {
    mask: { ...geometry, labels: lumen, source: `${name}:mask` },
    aorta: aorta ? { ...geometry, labels: aorta, source: `${name}:aorta` } : null,
    ct: { ...geometry, hu, kvp: 120, source: name },
    vessels,
    ostia: [
      { side: 'right', point: [...((vessels[0] as Vessel).points[0] as Vec3)] },
      { side: 'left', point: [...((vessels[1] as Vessel).points[0] as Vec3)] },
    ],
    aortaShape,
  };
}
