/**
 * Names for the paths of a coronary tree. The patient axes are LPS (x left, y posterior,
 * z superior); the heart's long axis runs from the base anterior, left and inferior to the apex.
 * Right tree: its longest path is the RCA. Left tree: the main stem splits; the child heading most
 * along the anterior interventricular groove (anterior and inferior, towards the apex) is the LAD,
 * the one heading most along the left atrioventricular groove (leftward and posterior) the LCx, a
 * third one at the same split the ramus intermedius (RI). Each named vessel follows its longest
 * continuation; the other leaves are its branches, `LAD-b1`, `LAD-b2` … by where they leave it.
 * A choice with a small margin is said in a warning, as is a left tree that does not split.
 */
import type { Vec3 } from '../volume/geometry';
import type { CenterlineWarning } from './types';
import { arcLengths } from '../volume/vessels';
import { dot, sub, unit } from './vec';

export interface NamingSegment {
  readonly points: readonly Vec3[];
  readonly parent: number;
  readonly children: readonly number[];
}

export interface NamedPath {
  readonly name: string;
  /** Segment indices from a root segment to a leaf. */
  readonly segs: number[];
}

/** Anterior-inferior (towards the apex along the anterior groove), and left-posterior (AV groove). */
export const LAD_DIRECTION: Vec3 = unit([0.15, -0.6, -0.8]);
export const LCX_DIRECTION: Vec3 = unit([0.5, 0.85, -0.15]);

const segLength = (s: NamingSegment): number => {
  const a = arcLengths(s.points);
  return a[a.length - 1] as number;
};

/** The longest downward path from segment i (inclusive). */
function longest(segs: readonly NamingSegment[], i: number): { path: number[]; length: number } {
  const s = segs[i] as NamingSegment;
  let best: { path: number[]; length: number } = { path: [], length: 0 };
  for (const c of s.children) {
    const r = longest(segs, c);
    if (r.length > best.length) best = r;
  }
  return { path: [i, ...best.path], length: segLength(s) + best.length };
}

/** Names the subtree under `first` (its longest path `name`, other leaves `name-bK`). */
function nameSubtree(
  segs: readonly NamingSegment[],
  prefix: number[],
  first: number,
  name: string,
  out: NamedPath[],
): void {
  const main = longest(segs, first).path;
  out.push({ name, segs: [...prefix, ...main] });
  const side: number[][] = [];
  const walk = (path: number[]): void => {
    const last = path[path.length - 1] as number;
    for (const c of (segs[last] as NamingSegment).children) {
      const sub2 = longest(segs, c).path;
      if (main.includes(c)) continue;
      side.push([...path, ...sub2]);
      // Deeper side branches of a side branch are branches of the same vessel too.
      for (let k = 1; k <= sub2.length; k++) walkSide([...path, ...sub2.slice(0, k)], sub2);
    }
  };
  const walkSide = (path: number[], along: number[]): void => {
    const last = path[path.length - 1] as number;
    for (const c of (segs[last] as NamingSegment).children) {
      if (along.includes(c)) continue;
      const sub2 = longest(segs, c).path;
      side.push([...path, ...sub2]);
      for (let k = 1; k <= sub2.length; k++) walkSide([...path, ...sub2.slice(0, k)], sub2);
    }
  };
  for (let k = 1; k <= main.length; k++) walk([...prefix, ...main.slice(0, k)]);
  side.forEach((p, k) => out.push({ name: `${name}-b${k + 1}`, segs: p }));
}

/** Direction from a split point to the point `atMm` further along a path of segments. */
function headingOf(segs: readonly NamingSegment[], path: number[], from: Vec3, atMm: number): Vec3 {
  const pts = path.flatMap((i) => (segs[i] as NamingSegment).points);
  const s = arcLengths(pts);
  let k = 0;
  while (k < pts.length - 1 && (s[k] as number) < atMm) k++;
  return unit(sub(pts[k] as Vec3, from));
}

export function nameTree(
  segs: readonly NamingSegment[],
  side: 'right' | 'left' | 'unknown',
  group: string | null,
  warnings: CenterlineWarning[],
): NamedPath[] {
  const out: NamedPath[] = [];
  const roots = segs.map((s, i) => (s.parent < 0 ? i : -1)).filter((i) => i >= 0);
  if (roots.length === 0) return out;
  const rootMain = roots.reduce((a, b) => (longest(segs, a).length >= longest(segs, b).length ? a : b));
  const base = group ?? (side === 'left' ? null : 'RCA');
  if (base !== null) {
    for (const r of roots) nameSubtree(segs, [], r, r === rootMain ? base : `${base}-o${roots.indexOf(r) + 1}`, out);
    return out;
  }
  // A root that branches at once: no stem, the split is the ostium itself.
  const stem = segs[rootMain] as NamingSegment;
  const atRoot = roots.length > 1;
  let cands = (atRoot ? roots : stem.children).map((c) => ({ prefix: [] as number[], first: c }));
  // A child shorter than 4 mm that splits again is one split seen as two (a trifurcation).
  cands = cands.flatMap((c) => {
    const s = segs[c.first] as NamingSegment;
    return segLength(s) < 4 && s.children.length > 0 ? s.children.map((g) => ({ prefix: [c.first], first: g })) : [c];
  });
  if (cands.length < 2) {
    const d = headingOf(segs, longest(segs, rootMain).path, stem.points[0] as Vec3, 25);
    const name = dot(d, LAD_DIRECTION) >= dot(d, LCX_DIRECTION) ? 'LAD' : 'LCx';
    warnings.push({
      code: 'no-bifurcation',
      message: `the left tree does not split; named ${name} by its course`,
      vessel: name,
    });
    nameSubtree(segs, [], rootMain, name, out);
    return out;
  }
  const split = atRoot ? (stem.points[0] as Vec3) : (stem.points[stem.points.length - 1] as Vec3);
  const heads = cands.map((c) => headingOf(segs, [...c.prefix, ...longest(segs, c.first).path], split, 15));
  const ladScore = heads.map((d) => dot(d, LAD_DIRECTION));
  const order = ladScore.map((_, i) => i).sort((a, b) => (ladScore[b] as number) - (ladScore[a] as number));
  const lad = order[0] as number;
  if ((ladScore[lad] as number) - (ladScore[order[1] as number] as number) < 0.2)
    warnings.push({
      code: 'naming-uncertain',
      message: 'two branches of the left main head almost equally towards the apex',
      vessel: 'LAD',
    });
  const rest = order.slice(1);
  const lcxScore = rest.map((i) => dot(heads[i] as Vec3, LCX_DIRECTION));
  const lcxPos = lcxScore.indexOf(Math.max(...lcxScore));
  const lcx = rest[lcxPos] as number;
  const others = rest.filter((i) => i !== lcx);
  const named: [number, string][] = [
    [lad, 'LAD'],
    [lcx, 'LCx'],
    ...others.map((i, k): [number, string] => [i, k === 0 ? 'RI' : `LM-b${k}`]),
  ];
  if (others.length > 0)
    warnings.push({
      code: 'trifurcation',
      message: `the left main splits in ${cands.length}; the middle branch is named RI`,
      vessel: 'RI',
    });
  for (const [i, name] of named) {
    const c = cands[i] as { prefix: number[]; first: number };
    nameSubtree(segs, atRoot ? c.prefix : [rootMain, ...c.prefix], c.first, name, out);
  }
  return out;
}
