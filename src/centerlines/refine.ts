/**
 * From a segment's voxel centres to a sub-voxel centerline with radii. The voxel path is smoothed
 * (σ ≈ one voxel), then pulled twice onto the centroid of its own lumen cross-section (the
 * sub-voxel centre the medial voxels can only approximate), smoothed lightly again, resampled to
 * `stepMm`, and given the cross-section radius at every point. Both ends stay fixed: the start is
 * the ostium or the parent's last point, so vessels sharing a stem share it point for point.
 *
 * Branch points need more than that. A skeleton's branch voxel sits wherever the second path
 * happened to join the first — often a few millimetres before the true split, so a child that
 * leaves at 45° cuts the corner through the bifurcation's widened lumen, where no cross-section
 * has a centre (it leaks into the sibling). `recentreJunctions` therefore moves every branch point
 * once to where the axes of its segments meet — each axis a line fitted to the segment just outside
 * the bifurcation (beyond ~2 radii for a child, ~1 radius for the parent), the meeting point their
 * least-squares intersection — and joins each segment's trusted part to that one point. The stem
 * and its children then end and start on the same refined point, so a shared stem stays shared.
 */
import type { Vec3 } from '../volume/geometry';
import { arcLengths } from '../volume/vessels';
import { crossSection } from './cross-section';
import { resamplePolyline, smoothPolyline } from './smooth';
import { dist, sub, tangentAt } from './vec';

export interface RefineOptions {
  inside: (p: Vec3) => number;
  /** Grid spacing (mm), for σ and ray steps. */
  spacing: Vec3;
  stepMm: number;
}

/** Dense (half a voxel) smoothed, re-centred copy of a voxel path; both ends unchanged. */
export function centreSegment(raw: readonly Vec3[], o: RefineOptions): Vec3[] {
  const big = Math.max(...o.spacing);
  const small = Math.min(...o.spacing);
  const sigma = Math.max(0.5, big);
  let pts = smoothPolyline(resamplePolyline(raw, small / 2).points, { sigmaMm: sigma, inside: o.inside });
  for (let it = 0; it < 2; it++) {
    const next = pts.map((p) => [...p] as Vec3);
    for (let i = 1; i < pts.length - 1; i++) {
      const p = pts[i] as Vec3;
      const cs = crossSection(o.inside, p, tangentAt(pts, i), { rays: 16, stepMm: small / 4 });
      // A cross-section that leaks on many rays (branch point, touching vein) has no useful centre.
      if (cs.radius <= 0 || cs.leaks > 4) continue;
      const shift = dist(cs.centroid, p);
      if (shift > big) continue;
      next[i] = cs.centroid;
    }
    pts = smoothPolyline(next, { sigmaMm: sigma / 2, inside: o.inside });
  }
  return pts;
}

/** Resampled to `stepMm`, with the cross-section radius at every point. */
export function finishSegment(pts: readonly Vec3[], o: RefineOptions): { points: Vec3[]; radii: number[] } {
  const small = Math.min(...o.spacing);
  const res = resamplePolyline(pts, o.stepMm).points;
  const radii = res.map((p, i) => crossSection(o.inside, p, tangentAt(res, i), { rays: 32, stepMm: small / 5 }).radius);
  // A point whose own section failed (outside after all) takes its neighbours' radius.
  for (let i = 0; i < radii.length; i++) {
    if ((radii[i] as number) > 0) continue;
    const prev = radii
      .slice(0, i)
      .reverse()
      .find((r) => r > 0);
    const next = radii.slice(i + 1).find((r) => r > 0);
    radii[i] = prev ?? next ?? small / 2;
  }
  return { points: res, radii };
}

export function refineSegment(raw: readonly Vec3[], o: RefineOptions): { points: Vec3[]; radii: number[] } {
  return finishSegment(centreSegment(raw, o), o);
}

export interface JunctionSegment {
  /** Dense centred points (centreSegment), replaced in place. */
  pts: Vec3[];
  readonly parent: number;
  readonly children: readonly number[];
}

/** Points of `pts` whose arc length from the chosen end lies in [a, b]. */
function window(pts: readonly Vec3[], fromEnd: boolean, a: number, b: number): Vec3[] {
  const s = arcLengths(pts);
  const total = s[s.length - 1] as number;
  return pts.filter((_, i) => {
    const d = fromEnd ? total - (s[i] as number) : (s[i] as number);
    return d >= a && d <= b;
  });
}

/** Centroid and principal direction (power iteration on the scatter matrix). */
function fitLine(pts: readonly Vec3[]): { p: Vec3; d: Vec3 } | null {
  if (pts.length < 3) return null;
  const c: Vec3 = [0, 0, 0];
  for (const p of pts) for (let a = 0; a < 3; a++) c[a] = (c[a] as number) + (p[a] as number) / pts.length;
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const p of pts) {
    const q = sub(p, c);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) m[3 * a + b] = (m[3 * a + b] as number) + q[a]! * q[b]!;
  }
  let d: Vec3 = sub(pts[pts.length - 1] as Vec3, pts[0] as Vec3);
  for (let it = 0; it < 20; it++) {
    const e: Vec3 = [0, 1, 2].map((a) => m[3 * a]! * d[0] + m[3 * a + 1]! * d[1] + m[3 * a + 2]! * d[2]) as Vec3;
    const l = Math.hypot(...e);
    if (!(l > 0)) return null;
    d = [e[0] / l, e[1] / l, e[2] / l];
  }
  return { p: c, d };
}

/** Least-squares point nearest to weighted lines, pulled weakly (λ) towards `prior`. */
function meetingPoint(lines: { p: Vec3; d: Vec3 }[], prior: Vec3, lambda: number): Vec3 | null {
  const A = [lambda, 0, 0, 0, lambda, 0, 0, 0, lambda];
  const b: Vec3 = [lambda * prior[0], lambda * prior[1], lambda * prior[2]];
  for (const { p, d } of lines)
    for (let a = 0; a < 3; a++)
      for (let c = 0; c < 3; c++) {
        const m = (a === c ? 1 : 0) - d[a]! * d[c]!;
        A[3 * a + c] = A[3 * a + c]! + m;
        b[a] = b[a]! + m * p[c]!;
      }
  const det = (M: number[]): number =>
    M[0]! * (M[4]! * M[8]! - M[5]! * M[7]!) -
    M[1]! * (M[3]! * M[8]! - M[5]! * M[6]!) +
    M[2]! * (M[3]! * M[7]! - M[4]! * M[6]!);
  const D = det(A);
  if (!(Math.abs(D) > 1e-12)) return null;
  const col = (k: number): number[] => A.map((x, i) => (i % 3 === k ? b[Math.floor(i / 3)]! : x));
  return [det(col(0)) / D, det(col(1)) / D, det(col(2)) / D];
}

/**
 * Median cross-section radius of a dense segment away from the junction at its start (or end):
 * over [¼, ¾] of its length, at most 3–10 mm out, where the bifurcation no longer widens it.
 */
export function segmentRadius(pts: readonly Vec3[], fromEnd: boolean, o: RefineOptions): number {
  const s = arcLengths(pts);
  const L = s[s.length - 1] as number;
  const w = window(pts, fromEnd, Math.min(3, L / 4), Math.min(10, (3 * L) / 4));
  const rs: number[] = [];
  const small = Math.min(...o.spacing);
  for (let i = 1; i < w.length - 1; i += 2) {
    const cs = crossSection(o.inside, w[i] as Vec3, tangentAt(w, i), { rays: 16, stepMm: small / 4 });
    if (cs.radius > 0 && cs.leaks <= 2) rs.push(cs.radius);
  }
  rs.sort((a, b) => a - b);
  return rs.length > 0 ? (rs[rs.length >> 1] as number) : 0;
}

/**
 * Moves every branch point (the end of a segment with children) to the meeting point of its
 * segments' axes, and rejoins each segment to it. Roots (ostia) and leaves stay as they are.
 */
export function recentreJunctions(segs: JunctionSegment[], o: RefineOptions): void {
  const small = Math.min(...o.spacing);
  const moved = new Map<number, Vec3>();
  const cut = new Map<number, { start: number; end: number }>();
  for (let i = 0; i < segs.length; i++) cut.set(i, { start: 0, end: 0 });
  segs.forEach((parent, pi) => {
    if (parent.children.length < 2) return;
    const J = parent.pts[parent.pts.length - 1] as Vec3;
    const kids = parent.children.map((k) => segs[k] as JunctionSegment);
    const r = Math.max(segmentRadius(parent.pts, true, o), ...kids.map((k) => segmentRadius(k.pts, false, o)), small);
    // A split seen as two close ones (a trifurcation) has no segment axis between them: left as is.
    const len = (x: JunctionSegment): number => arcLengths(x.pts)[x.pts.length - 1] as number;
    if (kids.some((k) => k.children.length > 0 && len(k) < 3 * r)) return;
    if (parent.parent >= 0 && len(parent) < 3 * r) return;
    const lines: { p: Vec3; d: Vec3 }[] = [];
    // Only the children's axes: the parent's last millimetres lie inside the widened lumen too,
    // and a left main is often too short to fit; the prior keeps a straight continuation in place.
    for (const k of kids) {
      const l = fitLine(window(k.pts, false, 2 * r, 2 * r + 3));
      if (l) lines.push(l);
    }
    if (lines.length < 2) return;
    const q = meetingPoint(lines, J, 0.05 * lines.length);
    // Too far, or outside the lumen: the axes do not meet at a branch point we can trust.
    if (!q || dist(q, J) > 2 * r || o.inside(q) < 0.5) return;
    moved.set(pi, q);
    (cut.get(pi) as { end: number }).end = r;
    for (const k of parent.children) (cut.get(k) as { start: number }).start = 2 * r;
  });
  segs.forEach((s, i) => {
    const start = s.parent >= 0 ? moved.get(s.parent) : undefined;
    const end = moved.get(i);
    if (!start && !end) return;
    const c = cut.get(i) as { start: number; end: number };
    const sArc = arcLengths(s.pts);
    const total = sArc[sArc.length - 1] as number;
    const first = s.pts[0] as Vec3;
    const last = s.pts[s.pts.length - 1] as Vec3;
    const keep = s.pts.filter((p, k) => {
      const a = sArc[k] as number;
      if (start && (a < c.start || dist(p, start) < 0.5 * c.start)) return false;
      if (end && (total - a < c.end || dist(p, end) < 0.5 * c.end)) return false;
      return true;
    });
    const pts = [start ?? first, ...keep, end ?? last];
    const sigma = Math.max(0.5, Math.max(...o.spacing)) / 2;
    s.pts = smoothPolyline(resamplePolyline(pts, small / 2).points, { sigmaMm: sigma, inside: o.inside });
  });
}
