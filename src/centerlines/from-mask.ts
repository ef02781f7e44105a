/**
 * Coronary centerlines from a binary (or labelled) coronary-artery lumen mask, without a GPU:
 * crop → components (tiny ones dropped, one-voxel gaps bridged) → distance to the wall by the
 * injected exact EDT (on the inverted mask, over the crop only) → ostium where each tree meets the
 * aorta → TEASAR skeleton → leaf caps cut, short leaves dropped → segments smoothed, re-centred on
 * their cross-sections, resampled, radii from the cross-section → named paths from the ostium,
 * each shared segment repeated point for point.
 *
 * The EDT is injected so the GPU and the CPU kernels (identical f32 output) give identical lines.
 */
import { PerifatError } from '../errors';
import { sameGrid, type Vec3 } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Vessel } from '../volume/vessels';
import { arcLengths } from '../volume/vessels';
import { bridgeGap, labelComponents, type Components } from './components';
import { cropOf, cropWorld, insideFn, type Crop } from './crop';
import { nameTree } from './naming';
import { aortaFromContrast, aortaFromMask, findOstium, type AortaTest } from './ostium';
import { centreSegment, finishSegment, recentreJunctions, segmentRadius } from './refine';
import { buildSegments, childrenOf, pruneDenseLeaves, pruneShortLeaves, pruneSpurs, trimLeafCaps } from './segments';
import { teasar, type Skeleton } from './teasar';
import type { CenterlineWarning, DerivedCenterlines } from './types';

export type EdtFn = (dims: Vec3, spacing: Vec3, mask: Uint8Array) => Float32Array | Promise<Float32Array>;

export interface FromMaskOptions {
  /** Aorta mask on the mask's grid: the ostia are where the trees touch it. */
  aorta?: LabelVolume;
  /** Unsigned squared distance (mm²) of every voxel to the nearest voxel where mask ≠ 0. */
  edt: EdtFn;
  signal?: AbortSignal;
  /** Shortest root-to-leaf path kept (mm, default 20). */
  minLengthMm?: number;
  /** Point spacing of the output (mm, default 0.5, at most 0.5). */
  stepMm?: number;
  /** Labels that already name vessels: each label is traced as its own group under its name. */
  labelNames?: Record<number, string>;
}

type Ostium = DerivedCenterlines['ostia'][number];

interface Tree {
  comp: number;
  size: number;
  root: number;
  from: Ostium['from'];
  segs: { points: Vec3[]; radii: number[]; parent: number; children: number[] }[];
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PerifatError('E_ABORTED', 'centerline derivation cancelled');
}

export async function centerlinesFromMask(
  ct: CtVolume | null,
  mask: LabelVolume,
  opts: FromMaskOptions,
): Promise<DerivedCenterlines> {
  const t0 = performance.now();
  const file = mask.source;
  const n = mask.dims[0] * mask.dims[1] * mask.dims[2];
  if (mask.labels.length !== n)
    throw new PerifatError('E_INPUT_VALUE', `mask has ${mask.labels.length} voxels, its dims need ${n}`, { file });
  if (ct && !sameGrid(ct, mask))
    throw new PerifatError('E_MASK_GRID', `the coronary mask is not on the CT grid (${ct.source}); resample it first`, {
      file,
    });
  if (opts.aorta && !sameGrid(opts.aorta, mask))
    throw new PerifatError('E_MASK_GRID', 'the aorta mask is not on the coronary mask grid', {
      file: opts.aorta.source,
    });
  const stepMm = Math.min(0.5, opts.stepMm ?? 0.5);
  if (!(stepMm > 0)) throw new PerifatError('E_OPTIONS', `stepMm must be > 0: ${opts.stepMm}`);
  const minLengthMm = opts.minLengthMm ?? 20;

  const groups: { label: number | null; name: string | null }[] = opts.labelNames
    ? Object.entries(opts.labelNames).map(([l, name]) => ({ label: Number(l), name }))
    : [{ label: null, name: null }];
  const warnings: CenterlineWarning[] = [];
  const vessels: Vessel[] = [];
  const ostia: Ostium[] = [];
  const stats: Record<string, number> = {
    voxels: 0,
    components: 0,
    dijkstraPops: 0,
    cropVoxels: 0,
    msEdt: 0,
    msSkeleton: 0,
    msRefine: 0,
  };
  for (const g of groups) {
    const pick = g.label === null ? (v: number) => mask.labels[v] !== 0 : (v: number) => mask.labels[v] === g.label;
    const crop = cropOf(mask, pick, n, 2);
    if (!crop) {
      if (g.label !== null) {
        warnings.push({
          code: 'label-empty',
          message: `label ${g.label} (${g.name}) is empty`,
          vessel: g.name ?? undefined,
        });
        continue;
      }
      throw new PerifatError('E_CENTERLINE', 'the coronary mask is empty: no voxel to derive centerlines from', {
        file,
      });
    }
    const out = await deriveGroup(ct, crop, g.name, opts, { minLengthMm, stepMm, file, warnings, stats });
    vessels.push(...out.vessels);
    ostia.push(...out.ostia);
  }
  if (vessels.length === 0)
    throw new PerifatError('E_CENTERLINE', `no vessel of at least ${minLengthMm} mm could be derived from the mask`, {
      file,
    });
  stats.msTotal = performance.now() - t0;
  return { method: 'mask', vessels, ostia, warnings, stats };
}

interface GroupCtx {
  minLengthMm: number;
  stepMm: number;
  file: string;
  warnings: CenterlineWarning[];
  stats: Record<string, number>;
}

async function deriveGroup(
  ct: CtVolume | null,
  crop: Crop,
  group: string | null,
  opts: FromMaskOptions,
  ctx: GroupCtx,
): Promise<{ vessels: Vessel[]; ostia: Ostium[] }> {
  const { file, warnings, stats } = ctx;
  const sp = crop.spacing;
  const voxMl = sp[0] * sp[1] * sp[2];
  let total = 0;
  for (const m of crop.mask) total += m;
  stats.voxels = (stats.voxels as number) + total;
  stats.cropVoxels = (stats.cropVoxels as number) + crop.mask.length;
  if (total < 8)
    throw new PerifatError('E_CENTERLINE', `the coronary mask has only ${total} voxels: too few for a vessel`, {
      file,
    });

  const isAorta: AortaTest | null = opts.aorta
    ? aortaFromMask(crop, opts.aorta)
    : ct
      ? aortaFromContrast(crop, ct)
      : null;
  // Components: drop crumbs (< 3 mm³), bridge one-voxel gaps of parts that touch no aorta.
  let comps = labelComponents(crop);
  const dropCrumbs = (cs: Components): number => {
    let dropped = 0;
    for (let id = 1; id < cs.size.length; id++) {
      if ((cs.size[id] as number) * voxMl >= 3) continue;
      dropped++;
      for (let v = 0; v < cs.label.length; v++) if (cs.label[v] === id) crop.mask[v] = 0;
    }
    return dropped;
  };
  const crumbs = dropCrumbs(comps);
  if (crumbs > 0) {
    warnings.push({ code: 'tiny-component', message: `${crumbs} mask part(s) under 3 mm³ ignored` });
    comps = labelComponents(crop);
  }
  if (comps.size.length === 1)
    throw new PerifatError('E_CENTERLINE', 'the coronary mask holds only specks under 3 mm³: no vessel', { file });
  const voxelsOf = (cs: Components): Int32Array[] => {
    const lists: number[][] = cs.size.map(() => []);
    for (let v = 0; v < cs.label.length; v++) if (cs.label[v] !== 0) (lists[cs.label[v] as number] as number[]).push(v);
    return lists.map((l) => Int32Array.from(l));
  };
  const gapMm = Math.min(1.5, 2.5 * Math.max(...sp));
  if (isAorta && comps.size.length > 2) {
    let vox = voxelsOf(comps);
    let bridged = 0;
    for (let guard = 0; guard < 8; guard++) {
      const orphan = vox.findIndex((l, id) => id > 0 && findOstium(crop, l, isAorta) < 0);
      if (orphan < 0 || bridgeGap(crop, comps, orphan, gapMm) === 0) break;
      bridged++;
      comps = labelComponents(crop);
      vox = voxelsOf(comps);
    }
    if (bridged > 0)
      warnings.push({
        code: 'gap-bridged',
        message: `${bridged} gap(s) of at most ${gapMm.toFixed(2)} mm in the mask bridged`,
      });
  }
  const voxLists = voxelsOf(comps);
  stats.components = (stats.components as number) + comps.size.length - 1;
  checkAbort(opts.signal);

  let t = performance.now();
  const inv = new Uint8Array(crop.mask.length);
  for (let v = 0; v < inv.length; v++) inv[v] = crop.mask[v] ? 0 : 1;
  const d2 = await opts.edt(crop.dims, sp, inv);
  const D = new Float32Array(d2.length);
  for (let v = 0; v < D.length; v++) D[v] = Math.sqrt(d2[v] as number);
  stats.msEdt = (stats.msEdt as number) + performance.now() - t;
  checkAbort(opts.signal);

  t = performance.now();
  const local = new Int32Array(crop.mask.length).fill(-1);
  const trees: Tree[] = [];
  let thin = 0;
  const big = Math.max(...sp);
  for (let id = 1; id < comps.size.length; id++) {
    const list = voxLists[id] as Int32Array;
    list.forEach((v, i) => (local[v] = i));
    let dmax = 0;
    let centre = list[0] as number;
    for (const v of list)
      if ((D[v] as number) > dmax) {
        dmax = D[v] as number;
        centre = v;
      }
    // The wall lies half a voxel inside the first background centre: a part whose deepest voxel is
    // one voxel from the background is at most two voxels thick, not a vessel we can follow.
    if (dmax <= 1.01 * big) {
      thin++;
      continue;
    }
    let root = isAorta ? findOstium(crop, list, isAorta) : -1;
    let from: Ostium['from'] = opts.aorta ? 'aorta-mask' : 'aorta-contrast';
    let sk: Skeleton;
    if (root < 0) {
      // No aorta: the thickest, then most superior end of a provisional skeleton is the ostium.
      from = 'most-proximal';
      const pre = teasar(crop, comps.label, id, list, local, D, centre, { spurMm: 1, spurRadii: 0.5 });
      stats.dijkstraPops = (stats.dijkstraPops as number) + pre.pops;
      root = proximalEnd(crop, pre, D);
      warnings.push({
        code: 'ostium-missing',
        message: `a mask part (${list.length} voxels) touches no aorta: its ostium is its most superior thick end`,
      });
    } else if (from === 'aorta-contrast') {
      warnings.push({
        code: 'aorta-from-contrast',
        message: 'the ostium was placed where the tree meets a contrast-filled region (≥ 200 HU) taken as the aorta',
      });
    }
    sk = teasar(crop, comps.label, id, list, local, D, root);
    stats.dijkstraPops = (stats.dijkstraPops as number) + sk.pops;
    if (from === 'most-proximal') sk = trimRoot(crop, sk, D);
    trimLeafCaps(crop, sk, D);
    pruneSpurs(crop, sk, D);
    pruneShortLeaves(crop, sk, ctx.minLengthMm);
    const segs = buildSegments(sk);
    if (segs.length === 0) continue;
    trees.push({
      comp: id,
      size: list.length,
      root: sk.root,
      from,
      segs: segs.map((s) => ({
        points: s.voxels.map((v) => cropWorld(crop, v)),
        radii: [],
        parent: s.parent,
        children: s.children,
      })),
    });
  }
  stats.msSkeleton = (stats.msSkeleton as number) + performance.now() - t;
  if (trees.length === 0) {
    if (thin > 0)
      throw new PerifatError('E_CENTERLINE', `the coronary mask is too thin to follow (at most 2 voxels across)`, {
        file,
      });
    throw new PerifatError('E_CENTERLINE', `no path of at least ${ctx.minLengthMm} mm in the coronary mask`, { file });
  }
  if (thin > 0)
    warnings.push({ code: 'thin-component', message: `${thin} mask part(s) at most 2 voxels across ignored` });
  checkAbort(opts.signal);

  t = performance.now();
  const inside = insideFn(crop);
  const small = Math.min(...sp);
  const ro = { inside, spacing: sp, stepMm: ctx.stepMm };
  for (const tr of trees) {
    const dense = tr.segs.map((s) => ({ pts: centreSegment(s.points, ro), parent: s.parent, children: s.children }));
    const rad = new Map<string, number>();
    const radius = (i: number, fromEnd: boolean): number => {
      const key = `${i}:${fromEnd}`;
      if (!rad.has(key)) rad.set(key, segmentRadius((dense[i] as { pts: Vec3[] }).pts, fromEnd, ro) || small);
      return rad.get(key) as number;
    };
    const pruned = pruneDenseLeaves(dense, radius);
    stats.stubsPruned = (stats.stubsPruned ?? 0) + pruned.stubs;
    for (const p of pruned.tubes)
      warnings.push({
        code: 'touching-tube',
        message: `a tube running alongside the tree and touching it (ending near ${p.map((x) => x.toFixed(1)).join(', ')} mm) was taken for a non-coronary vessel and ignored`,
      });
    recentreJunctions(dense, ro);
    tr.segs.forEach((s, i) => {
      const r = finishSegment((dense[i] as { pts: Vec3[] }).pts, ro);
      s.points = r.points;
      s.radii = r.radii;
    });
  }
  stats.msRefine = (stats.msRefine as number) + performance.now() - t;

  // Sides: the two largest trees with an ostium; patient right has the smaller x.
  const sides = new Map<Tree, Ostium['side']>();
  if (group === null) {
    const ranked = [...trees].sort((a, b) => b.size - a.size);
    const main = ranked.slice(0, 2).sort((a, b) => rootPoint(a)[0] - rootPoint(b)[0]);
    if (main.length === 2) {
      sides.set(main[0] as Tree, 'right');
      sides.set(main[1] as Tree, 'left');
    } else {
      const only = main[0] as Tree;
      const splits = only.segs.some((s) => s.parent < 0 && s.children.length > 1);
      sides.set(only, splits ? 'left' : 'right');
      warnings.push({
        code: 'one-ostium',
        message: `one coronary tree only; taken as the ${splits ? 'left (its stem splits)' : 'right (its stem does not split)'}`,
      });
    }
    if (ranked.length > 2)
      warnings.push({
        code: 'two-components',
        message: `${ranked.length} separate trees in the mask; the smaller ones are named C1, C2 …`,
      });
  }
  const vessels: Vessel[] = [];
  const ostia: Ostium[] = [];
  let extra = 0;
  const ordered = [...trees].sort((a, b) => order(sides.get(a)) - order(sides.get(b)));
  for (const tr of ordered) {
    const side = sides.get(tr) ?? 'unknown';
    const name = group ?? (sides.has(tr) ? null : `C${++extra}`);
    const paths = nameTree(tr.segs, side, name, warnings);
    for (const p of paths) {
      const points: Vec3[] = [];
      const radii: number[] = [];
      p.segs.forEach((si, k) => {
        const s = tr.segs[si] as Tree['segs'][number];
        points.push(...s.points.slice(k === 0 ? 0 : 1));
        radii.push(...s.radii.slice(k === 0 ? 0 : 1));
      });
      const s = arcLengths(points);
      if ((s[s.length - 1] as number) < 0.9 * ctx.minLengthMm) continue;
      vessels.push({ name: p.name, points, radii });
    }
    ostia.push({ side, point: [...rootPoint(tr)], from: tr.from });
  }
  return { vessels, ostia };
}

function order(side: Ostium['side'] | undefined): number {
  return side === 'right' ? 0 : side === 'left' ? 1 : 2;
}

function rootPoint(tr: Tree): Vec3 {
  const s = tr.segs.find((x) => x.parent < 0);
  return s?.points[0] ?? [0, 0, 0];
}

/**
 * The ostium of a tree that touches no aorta: a coronary narrows distally, and its ostium lies at
 * the heart's base, the top of the tree. So among the skeleton leaves whose last 4 mm are nearly
 * as thick as the thickest (median wall distance ≥ 75 % of the best), the most superior one.
 * (Thickness alone picks a distal end whose lumen a bump or the mask's noise widens.)
 */
function proximalEnd(c: Crop, sk: Skeleton, D: Float32Array): number {
  const ch = childrenOf(sk.parent);
  const ends: { u: number; thick: number; z: number }[] = [];
  for (const [u, kids] of ch) {
    if (kids.length !== 0) continue;
    const ds: number[] = [];
    let cur = u;
    let s = 0;
    while (cur >= 0 && s < 4) {
      ds.push(D[cur] as number);
      const p = sk.parent.get(cur) as number;
      if (p >= 0) s += Math.hypot(...cropWorld(c, cur).map((x, i) => x - (cropWorld(c, p)[i] as number)));
      cur = p;
    }
    ds.sort((a, b) => a - b);
    ends.push({ u, thick: ds[ds.length >> 1] ?? 0, z: cropWorld(c, u)[2] });
  }
  const top = Math.max(...ends.map((e) => e.thick));
  const best = ends.filter((e) => e.thick >= 0.75 * top).sort((a, b) => b.z - a.z)[0];
  return best?.u ?? sk.root;
}

/** Moves a most-proximal root (on the end cap) inwards by the local radius, along a single run. */
function trimRoot(c: Crop, sk: Skeleton, D: Float32Array): Skeleton {
  const ch = childrenOf(sk.parent);
  const half = 0.5 * Math.min(...c.spacing);
  let root = sk.root;
  let cut = 0;
  for (;;) {
    const kids = ch.get(root) ?? [];
    if (kids.length !== 1 || cut >= (D[root] as number) - half) break;
    const next = kids[0] as number;
    cut += Math.hypot(...cropWorld(c, root).map((x, i) => x - (cropWorld(c, next)[i] as number)));
    sk.parent.delete(root);
    root = next;
  }
  sk.parent.set(root, -1);
  return { root, parent: sk.parent, pops: sk.pops };
}
