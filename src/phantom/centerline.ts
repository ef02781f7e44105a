/**
 * Samples an analytic curve into a centerline polyline with points every ~0.5 mm of arc length.
 * The points lie exactly on the curve; the arc length is tabulated densely and inverted.
 */
import type { Vec3 } from '../volume/geometry';

export interface SampledCurve {
  points: Vec3[];
  /** Analytic arc length (mm) of each point. */
  arc: number[];
}

/**
 * @param curve t ∈ [0,1] → point
 * @param stepMm spacing along the arc
 * @param maxLenMm stop after this arc length (shorter vessels); Infinity for the whole curve
 */
export function sampleCurve(curve: (t: number) => Vec3, stepMm = 0.5, maxLenMm = Infinity): SampledCurve {
  const N = 20000;
  const ts = new Float64Array(N + 1);
  const ss = new Float64Array(N + 1);
  let prev = curve(0);
  for (let n = 1; n <= N; n++) {
    const t = n / N;
    const p = curve(t);
    ts[n] = t;
    ss[n] = (ss[n - 1] as number) + Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]);
    prev = p;
  }
  const total = Math.min(ss[N] as number, maxLenMm);
  const points: Vec3[] = [];
  const arc: number[] = [];
  let m = 0;
  const count = Math.ceil(total / stepMm - 1e-9);
  for (let q = 0; q <= count; q++) {
    const s = Math.min(q * stepMm, total);
    while (m < N - 1 && (ss[m + 1] as number) < s) m++;
    const s0 = ss[m] as number;
    const s1 = ss[m + 1] as number;
    const f = s1 > s0 ? (s - s0) / (s1 - s0) : 0;
    points.push(curve((ts[m] as number) + f * ((ts[m + 1] as number) - (ts[m] as number))));
    arc.push(s);
  }
  return { points, arc };
}
