/**
 * Coronary centerlines shaped like traced ones: tortuous 3-D curves on the epicardial surface with
 * the curvature and torsion of real coronaries, sampled every 0.3–0.7 mm with tracing jitter, and a
 * left main stem that splits into the LAD, the LCx and (optionally) a ramus intermedius. Each branch
 * is given as its own vessel, from the ostium (the stem's points repeated exactly, as centerline
 * tools write them) or from the bifurcation.
 *
 * A base path follows the ellipsoid ρ = vesselRho(scale) as in anatomy.ts; the tortuosity is a sum
 * of sinusoids of the base arc length along the surface's lateral direction and its normal
 * (amplitudes 0.3–1.1 mm, wavelengths 7–16 mm: curvature up to ≈ 0.35 /mm, i.e. bends of 3 mm
 * radius, and torsion from the two planes' phase shift). Jitter: each sample moves by a Gaussian
 * 0.04 mm across the path and its radius by 0.03 mm, as a tracing tool's output would.
 */
import type { Vec3 } from '../volume/geometry';
import type { Vessel, VesselSet } from '../volume/vessels';
import { LESIONS, SEMI_AXES, vesselRho } from './anatomy';
import { Rng } from './rng';

export interface TreeOptions {
  centre: Vec3;
  scale: number;
  /** Branches from the ostium (stem repeated in each) or from the bifurcation. */
  branchesFrom: 'ostium' | 'bifurcation';
  /** 2: LAD + LCx; 3: also a ramus intermedius ("RI"). */
  branches: 2 | 3;
  seed: number;
  source: string;
}

/** A path on the vessel ellipsoid: angles in degrees, linear in t ∈ [0, 1]. */
interface Angles {
  theta: [number, number];
  phi: [number, number];
}

interface Wiggle {
  /** Lateral (in the surface) and normal (off the surface) sinusoids: [amplitude mm, wavelength mm]. */
  lateral: [number, number][];
  normal: [number, number][];
}

const JITTER_MM = 0.04;
const RADIUS_JITTER_MM = 0.03;
const STEP_RANGE_MM: [number, number] = [0.3, 0.7];

const RCA: Angles = { theta: [-112, -262], phi: [22, -18] };
const STEM: Angles = { theta: [-66, -52], phi: [50, 44] };
const LAD: Angles = { theta: [-52, -74], phi: [44, -74] };
const LCX: Angles = { theta: [-52, 100], phi: [44, 4] };
const RI: Angles = { theta: [-52, -20], phi: [44, -30] };

const WIGGLE: Wiggle = {
  lateral: [
    [1.1, 16],
    [0.5, 7.5],
  ],
  normal: [[0.35, 11]],
};

function onEllipsoid(a: Angles, t: number, k: number, centre: Vec3): Vec3 {
  const th = ((a.theta[0] + (a.theta[1] - a.theta[0]) * t) * Math.PI) / 180;
  const ph = ((a.phi[0] + (a.phi[1] - a.phi[0]) * t) * Math.PI) / 180;
  return [
    centre[0] + k * SEMI_AXES[0] * Math.cos(ph) * Math.cos(th),
    centre[1] + k * SEMI_AXES[1] * Math.cos(ph) * Math.sin(th),
    centre[2] + k * SEMI_AXES[2] * Math.sin(ph),
  ];
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/**
 * Samples a tortuous path: base angles → dense curve with the wiggle added in the surface frame →
 * points at random arc steps, jittered across the path. The first point is exactly `start` when
 * given (a branch leaves its stem's last point), and the wiggle then fades in over 4 mm so the
 * branch leaves the bifurcation smoothly.
 */
function tortuousPath(
  a: Angles,
  o: TreeOptions,
  rng: Rng,
  phase: number,
  start: Vec3 | null,
  wiggleFrom: number,
): Vec3[] {
  const k = vesselRho(o.scale) * o.scale;
  const semi: Vec3 = [k * SEMI_AXES[0], k * SEMI_AXES[1], k * SEMI_AXES[2]];
  const N = 4000;
  const base: Vec3[] = [];
  for (let n = 0; n <= N; n++) base.push(onEllipsoid(a, n / N, k, o.centre));
  const baseArc = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) {
    const d = sub(base[n] as Vec3, base[n - 1] as Vec3);
    baseArc[n] = (baseArc[n - 1] as number) + Math.hypot(d[0], d[1], d[2]);
  }
  const dense: Vec3[] = base.map((p, n) => {
    const tangent = norm(sub(base[Math.min(N, n + 1)] as Vec3, base[Math.max(0, n - 1)] as Vec3));
    const q = sub(p, o.centre);
    const normal = norm([q[0] / semi[0] ** 2, q[1] / semi[1] ** 2, q[2] / semi[2] ** 2]);
    const lateral = norm(cross(normal, tangent));
    const s = (baseArc[n] as number) + wiggleFrom;
    const fade = start ? Math.min(1, (baseArc[n] as number) / 4) : 1;
    let u = 0;
    for (const [amp, wl] of WIGGLE.lateral) u += amp * Math.sin((2 * Math.PI * s) / wl + phase);
    let v = 0;
    for (const [amp, wl] of WIGGLE.normal) v += amp * Math.sin((2 * Math.PI * s) / wl + 1.7 * phase);
    u *= fade;
    v *= fade;
    return [
      p[0] + u * lateral[0] + v * normal[0],
      p[1] + u * lateral[1] + v * normal[1],
      p[2] + u * lateral[2] + v * normal[2],
    ];
  });
  if (start) {
    // Shift so the branch starts exactly at the stem's last point, back onto its path over 8 mm.
    const d = sub(start, dense[0] as Vec3);
    dense.forEach((p, n) => {
      const g = Math.max(0, 1 - (baseArc[n] as number) / 8);
      p[0] += g * d[0];
      p[1] += g * d[1];
      p[2] += g * d[2];
    });
  }
  const arc = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) {
    const d = sub(dense[n] as Vec3, dense[n - 1] as Vec3);
    arc[n] = (arc[n - 1] as number) + Math.hypot(d[0], d[1], d[2]);
  }
  const total = arc[N] as number;
  const out: Vec3[] = [start ?? (dense[0] as Vec3)];
  let s = 0;
  let m = 0;
  for (;;) {
    s += STEP_RANGE_MM[0] + (STEP_RANGE_MM[1] - STEP_RANGE_MM[0]) * rng.next();
    // The end point closes the path: no sample closer to it than the shortest step.
    if (s > total - STEP_RANGE_MM[0]) break;
    while (m < N - 1 && (arc[m + 1] as number) < s) m++;
    const f = (s - (arc[m] as number)) / ((arc[m + 1] as number) - (arc[m] as number));
    const p0 = dense[m] as Vec3;
    const p1 = dense[m + 1] as Vec3;
    const tangent = norm(sub(p1, p0));
    const q = sub(p0, o.centre);
    const n1 = norm(cross(tangent, [q[0], q[1], q[2]]));
    const n2 = cross(tangent, n1);
    const j1 = JITTER_MM * rng.gauss();
    const j2 = JITTER_MM * rng.gauss();
    out.push([
      p0[0] + f * (p1[0] - p0[0]) + j1 * n1[0] + j2 * n2[0],
      p0[1] + f * (p1[1] - p0[1]) + j1 * n1[1] + j2 * n2[1],
      p0[2] + f * (p1[2] - p0[2]) + j1 * n1[2] + j2 * n2[2],
    ]);
  }
  out.push(dense[N] as Vec3);
  return out;
}

function arcOf(points: readonly Vec3[]): number[] {
  const s = [0];
  for (let i = 1; i < points.length; i++) {
    const d = sub(points[i] as Vec3, points[i - 1] as Vec3);
    s.push((s[i - 1] as number) + Math.hypot(d[0], d[1], d[2]));
  }
  return s;
}

/** Radii tapering linearly over the arc from r0 to r1, with tracing jitter; the first radius as given. */
function taper(points: readonly Vec3[], r0: number, r1: number, rng: Rng, firstExact: boolean): number[] {
  const s = arcOf(points);
  const total = s[s.length - 1] as number;
  return s.map((x, i) => {
    const r = r0 + ((r1 - r0) * x) / total;
    return i === 0 && firstExact ? r0 : Math.max(0.6, r + RADIUS_JITTER_MM * rng.gauss());
  });
}

/** RCA on its own ostium, and the left tree: stem + LAD + LCx (+ RI). */
export function buildTree(o: TreeOptions): VesselSet {
  const rng = new Rng(o.seed * 7919 + 17);
  const rcaPts = tortuousPath(RCA, o, rng, 0.3, null, 0);
  const rca: Vessel = { name: 'RCA', points: rcaPts, radii: taper(rcaPts, 2.0, 1.25, rng, false) };

  const stemPts = tortuousPath(STEM, o, rng, 1.1, null, 0);
  const stemRadii = taper(stemPts, 2.3, 2.05, rng, false);
  const stemArc = arcOf(stemPts);
  const bif = stemPts[stemPts.length - 1] as Vec3;
  const rBif = stemRadii[stemRadii.length - 1] as number;
  const stemLen = stemArc[stemArc.length - 1] as number;
  const branchSpecs: [string, Angles, number, number][] = [
    ['LAD', LAD, 1.15, 2.1],
    ['LCx', LCX, 1.2, 0.7],
  ];
  if (o.branches === 3) branchSpecs.push(['RI', RI, 1.0, 2.9]);
  const branches: Vessel[] = branchSpecs.map(([name, angles, rEnd, phase]) => {
    const pts = tortuousPath(angles, o, rng, phase, bif, stemLen);
    const radii = taper(pts, rBif, rEnd, rng, true);
    if (o.branchesFrom === 'bifurcation') return { name, points: pts, radii };
    // From the ostium: the stem's points and radii exactly, then the branch past the bifurcation.
    return { name, points: [...stemPts, ...pts.slice(1)], radii: [...stemRadii, ...radii.slice(1)] };
  });
  return { vessels: [rca, ...branches], lesions: LESIONS.map((l) => ({ ...l })), source: o.source };
}
