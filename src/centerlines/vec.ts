/**
 * The few 3-vector operations the centerline code needs, on plain tuples (LPS mm), so every file
 * of the derivation uses the same arithmetic and none pulls a math library.
 */
import type { Vec3 } from '../volume/geometry';

export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const len = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const dist = (a: Vec3, b: Vec3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
/** Unit vector along a; [0, 0, 1] for a zero vector (callers then get some valid frame). */
export function unit(a: Vec3): Vec3 {
  const l = len(a);
  return l > 0 ? [a[0] / l, a[1] / l, a[2] / l] : [0, 0, 1];
}
/** Two unit vectors completing t (unit) to an orthonormal frame. */
export function perpFrame(t: Vec3): [Vec3, Vec3] {
  const helper: Vec3 = Math.abs(t[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = unit(cross(t, helper));
  return [u, cross(t, u)];
}
/** Unit tangent of a polyline at point i (central difference; one-sided at the ends). */
export function tangentAt(points: readonly Vec3[], i: number): Vec3 {
  const a = points[Math.max(0, i - 1)] as Vec3;
  const b = points[Math.min(points.length - 1, i + 1)] as Vec3;
  return unit(sub(b, a));
}
/** Distance from p to segment ab and the parameter of the nearest point. */
export function pointSegment(p: Vec3, a: Vec3, b: Vec3): { d: number; t: number } {
  const ab = sub(b, a);
  const l2 = dot(ab, ab);
  const t = l2 > 0 ? Math.min(1, Math.max(0, dot(sub(p, a), ab) / l2)) : 0;
  return { d: dist(p, add(a, scale(ab, t))), t };
}
