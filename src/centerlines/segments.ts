/**
 * From a voxel skeleton (parent pointers) to a tree of segments between branch points, after the
 * two clean-ups every mask skeleton needs: the last stretch of each leaf, which runs into the
 * rounded end cap of the lumen rather than along the vessel, is cut back by the local radius; and
 * leaves less than `minLengthMm` from the root are dropped (with their private part of the tree).
 * Lengths are measured on voxel centres (mm), before any smoothing.
 */
import type { Crop } from './crop';
import { cropWorld } from './crop';
import type { Skeleton } from './teasar';
import type { Vec3 } from '../volume/geometry';
import { arcLengths } from '../volume/vessels';
import { dist, pointSegment } from './vec';

export interface Segment {
  /** Crop voxels from the segment's start (root or branch point) to its end (branch point or leaf). */
  readonly voxels: number[];
  readonly parent: number;
  readonly children: number[];
}

export function childrenOf(parent: Map<number, number>): Map<number, number[]> {
  const ch = new Map<number, number[]>();
  for (const [u, p] of parent) {
    if (!ch.has(u)) ch.set(u, []);
    if (p < 0) continue;
    const list = ch.get(p);
    if (list) list.push(u);
    else ch.set(p, [u]);
  }
  return ch;
}

/** Cuts each leaf back by the wall distance D where it stops (at most to its branch point). */
export function trimLeafCaps(c: Crop, sk: Skeleton, D: Float32Array): void {
  const ch = childrenOf(sk.parent);
  const vox = 0.5 * Math.min(c.spacing[0], c.spacing[1], c.spacing[2]);
  const leaves = [...ch].filter(([u, kids]) => kids.length === 0 && u !== sk.root).map(([u]) => u);
  for (const u of leaves) {
    let cur = u;
    let cut = 0;
    for (;;) {
      const p = sk.parent.get(cur) as number;
      if (p < 0 || (ch.get(p)?.length ?? 0) !== 1) break;
      if (cut >= (D[cur] as number) - vox) break;
      cut += dist(cropWorld(c, cur), cropWorld(c, p));
      sk.parent.delete(cur);
      ch.get(p)?.splice(0);
      cur = p;
    }
  }
}

/** Root-to-voxel arc length (mm) along the skeleton, for every skeleton voxel. */
export function rootDistances(c: Crop, sk: Skeleton): Map<number, number> {
  const out = new Map<number, number>([[sk.root, 0]]);
  const at = (u: number): number => {
    const stack: number[] = [];
    let v = u;
    while (!out.has(v)) {
      stack.push(v);
      v = sk.parent.get(v) as number;
    }
    let s = out.get(v) as number;
    let prev = v;
    while (stack.length > 0) {
      const w = stack.pop() as number;
      s += dist(cropWorld(c, w), cropWorld(c, prev));
      out.set(w, s);
      prev = w;
    }
    return out.get(u) as number;
  };
  for (const u of sk.parent.keys()) at(u);
  return out;
}

/** Drops leaves whose root distance is under `minLengthMm`, repeatedly; returns how many. */
export function pruneShortLeaves(c: Crop, sk: Skeleton, minLengthMm: number): number {
  let dropped = 0;
  for (;;) {
    const ch = childrenOf(sk.parent);
    const s = rootDistances(c, sk);
    let changed = false;
    const leaves = [...ch].filter(([u, kids]) => kids.length === 0 && u !== sk.root).map(([u]) => u);
    for (const u of leaves) {
      if ((ch.get(u)?.length ?? 0) !== 0 || !sk.parent.has(u) || (s.get(u) as number) >= minLengthMm) continue;
      // Remove the leaf's private run, up to the branch point it hangs from.
      let cur = u;
      while (cur !== sk.root && (ch.get(cur)?.length ?? 0) === 0) {
        const p = sk.parent.get(cur) as number;
        sk.parent.delete(cur);
        const pk = ch.get(p);
        if (pk) pk.splice(pk.indexOf(cur), 1);
        cur = p;
      }
      dropped++;
      changed = true;
    }
    if (!changed) return dropped;
  }
}

/** Segments between branch points, from the root; children listed by segment index. */
export function buildSegments(sk: Skeleton): Segment[] {
  const ch = childrenOf(sk.parent);
  const segs: { voxels: number[]; parent: number; children: number[] }[] = [];
  const starts: [number, number][] = [[sk.root, -1]];
  while (starts.length > 0) {
    const [start, parentSeg] = starts.pop() as [number, number];
    // Every child of a branch point (or of the root) starts a segment of its own.
    const heads = (ch.get(start) ?? []).map((k) => [start, k]);
    for (const head of heads) {
      const voxels = [...head];
      let cur = voxels[voxels.length - 1] as number;
      while ((ch.get(cur)?.length ?? 0) === 1) {
        cur = (ch.get(cur) as number[])[0] as number;
        voxels.push(cur);
      }
      const idx = segs.length;
      segs.push({ voxels, parent: parentSeg, children: [] });
      if (parentSeg >= 0) (segs[parentSeg] as { children: number[] }).children.push(idx);
      if ((ch.get(cur)?.length ?? 0) > 1) starts.push([cur, idx]);
    }
  }
  return segs;
}

/** Drops leaf runs shorter than max(spurMm, spurRadii · D) at the branch point they leave. */
export function pruneSpurs(c: Crop, sk: Skeleton, D: Float32Array, spurMm = 3, spurRadii = 3): number {
  const ch = childrenOf(sk.parent);
  let dropped = 0;
  const leaves = [...ch].filter(([u, kids]) => kids.length === 0 && u !== sk.root).map(([u]) => u);
  for (const u of leaves) {
    const run: number[] = [];
    let cur = u;
    let len = 0;
    while (cur !== sk.root && (ch.get(cur)?.length ?? 0) <= 1) {
      run.push(cur);
      const p = sk.parent.get(cur) as number;
      len += dist(cropWorld(c, cur), cropWorld(c, p));
      cur = p;
    }
    // cur: the branch point (or the root, when the leaf's run reaches it: the trunk, kept).
    if (cur === sk.root || len >= Math.max(spurMm, spurRadii * (D[cur] as number))) continue;
    for (const v of run) sk.parent.delete(v);
    const pk = ch.get(cur);
    if (pk) pk.splice(pk.indexOf(run[run.length - 1] as number), 1);
    dropped++;
  }
  return dropped;
}

export interface DenseSegment {
  /** Centred sub-voxel points, from the segment's start to its end. */
  pts: Vec3[];
  readonly parent: number;
  children: number[];
}

/** Nearest distance (mm) from p to any live segment's polyline other than `skip`. */
function distToOthers(segs: readonly DenseSegment[], live: readonly boolean[], skip: number, p: Vec3): number {
  let best = Infinity;
  segs.forEach((s, i) => {
    if (i === skip || !live[i]) return;
    for (let k = 1; k < s.pts.length; k++) {
      const d = pointSegment(p, s.pts[k - 1] as Vec3, s.pts[k] as Vec3).d;
      if (d < best) best = d;
    }
  });
  return best;
}

/**
 * Second pruning, on centred points with cross-section radii (the voxel-level one measures
 * lengths on a staircase and radii by the EDT, which a noisy wall or a bump fools):
 * - a stub: a leaf shorter than max(3 mm, 3 parent radii), or whose tip stands out of the
 *   parent's wall by less than its own diameter — a bump of the wall, not a branch;
 * - a touching tube: a leaf whose axis ends outside the parent's lumen (tip ≥ r_parent + r_leaf / 2
 *   from the rest of the tree) yet whose tip and ≥ 60 % of its points stay within 1.25 × (r_parent +
 *   r_leaf) of it. (A leaf whose tip lies inside the parent's lumen is a doubled path: a stub.) A branch leaves its parent; a tube that runs alongside it
 *   over its whole length and merely touches it (a vein, the atrial appendage's rim) does not. It
 *   is dropped so it can neither become a named branch nor move the parent's branch point, and it
 *   is said in a 'touching-tube' warning.
 * Repeated until no leaf goes (a segment whose children all went is a leaf then). Roots stay.
 */
export function pruneDenseLeaves(
  segs: DenseSegment[],
  radius: (seg: number, fromEnd: boolean) => number,
  minMm = 3,
): { stubs: number; tubes: Vec3[] } {
  const live = segs.map(() => true);
  let stubs = 0;
  const tubes: Vec3[] = [];
  for (let changed = true; changed;) {
    changed = false;
    segs.forEach((s, i) => {
      if (!live[i] || s.parent < 0 || s.children.length > 0) return;
      const parent = segs[s.parent] as DenseSegment;
      const rP = radius(s.parent, true);
      const rL = radius(i, false);
      const arc = arcLengths(s.pts);
      const length = arc[arc.length - 1] as number;
      const tip = distToOthers(segs, live, i, s.pts[s.pts.length - 1] as Vec3);
      const near = 1.25 * (rP + rL);
      const long = length >= Math.max(minMm, 3 * rP);
      const tube =
        long &&
        tip >= rP + 0.5 * rL &&
        tip < near &&
        s.pts.filter((p) => distToOthers(segs, live, i, p) < near).length >= 0.6 * s.pts.length;
      const stub = !tube && (!long || tip - rP < 2 * rL);
      if (!stub && !tube) return;
      live[i] = false;
      parent.children.splice(parent.children.indexOf(i), 1);
      if (stub) stubs++;
      else tubes.push(s.pts[s.pts.length - 1] as Vec3);
      changed = true;
    });
  }
  return { stubs, tubes };
}
