/**
 * CPU twin of the exact separable Euclidean feature transform (feature-transform-init.wgsl,
 * feature-transform.wgsl): for every voxel the linear index of its nearest site,
 * anisotropic spacing, one Felzenszwalb–Huttenlocher lower-envelope pass per axis.
 *
 * It is also the fallback backend, so it is the O(n) separable algorithm, not brute force; the
 * brute-force oracle for small volumes is test/oracles/distance-brute.ts. Every floating-point operation is
 * the WGSL one in f32 (Math.fround after each +, −, ×, ÷), in the same order, so the GPU and this
 * reference pick the same site for every voxel, ties included.
 */
import { NO_SITE } from './feature-constants';
import type { Vec3 } from '../../volume/geometry';

const f = Math.fround;

/** Sites where the mask byte is non-zero (or zero, with `invert`), as in feature-transform-init.wgsl. */
export function featureInitFromMask(mask: Uint8Array, invert = false): Uint32Array {
  const ft = new Uint32Array(mask.length);
  for (let v = 0; v < mask.length; v++) ft[v] = (mask[v] !== 0) !== invert ? v : NO_SITE;
  return ft;
}

/** Squared distance (mm², f32) between voxels a and b: the dist2 of the WGSL, x + y then + z. */
export function dist2F32(dims: Vec3, sp: Vec3, a: number, b: number): number {
  const nx = dims[0];
  const ny = dims[1];
  const ax = a % nx;
  const ay = Math.floor(a / nx) % ny;
  const az = Math.floor(a / (nx * ny));
  const bx = b % nx;
  const by = Math.floor(b / nx) % ny;
  const bz = Math.floor(b / (nx * ny));
  const dx = f((ax - bx) * sp[0]);
  const dy = f((ay - by) * sp[1]);
  const dz = f((az - bz) * sp[2]);
  return f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz));
}

/** One axis pass, in place of feature_pass.wgsl; `spacing` must already be f32 values. */
export function featurePassCpu(
  dims: Vec3,
  spacing: Vec3,
  axis: 0 | 1 | 2,
  ftIn: Uint32Array,
  ftOut: Uint32Array,
): void {
  const [nx, ny, nz] = dims;
  const n = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const lines = axis === 0 ? ny * nz : axis === 1 ? nx * nz : nx * ny;
  const h = spacing[axis];
  const twoHh = f(2 * f(h * h));
  const sx = spacing[0];
  const sy = spacing[1];
  const sz = spacing[2];
  const V = new Uint32Array(n);
  const F = new Float32Array(n);
  const Z = new Float32Array(n);
  const slice = nx * ny;
  for (let line = 0; line < lines; line++) {
    const base = axis === 0 ? line * nx : axis === 1 ? (line % nx) + Math.floor(line / nx) * slice : line;
    // A line whose every voxel is its own site (e.g. background away from a thin mask's inverse)
    // keeps its sites: each voxel is at distance 0 from itself and farther from any other. The
    // envelope would give the same; skipping it only saves the work.
    let own = true;
    for (let q = 0, v = base; q < n; q++, v += stride) {
      if (ftIn[v] !== v) {
        own = false;
        break;
      }
    }
    if (own) {
      for (let q = 0, v = base; q < n; q++, v += stride) ftOut[v] = v;
      continue;
    }
    const c0 = [base % nx, Math.floor(base / nx) % ny, Math.floor(base / slice)];
    let k = -1;
    for (let q = 0; q < n; q++) {
      const site = ftIn[base + q * stride] as number;
      if (site === NO_SITE) continue;
      const cx = axis === 0 ? q : (c0[0] as number);
      const cy = axis === 1 ? q : (c0[1] as number);
      const cz = axis === 2 ? q : (c0[2] as number);
      const dx = f((cx - (site % nx)) * sx);
      const dy = f((cy - (Math.floor(site / nx) % ny)) * sy);
      const dz = f((cz - Math.floor(site / slice)) * sz);
      const fq = f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz));
      let s = 0;
      for (;;) {
        if (k < 0) break;
        const p = V[k] as number;
        const fp = F[k] as number;
        s = f(f(0.5 * (q + p)) + f(f(fq - fp) / f(twoHh * (q - p))));
        if (k === 0 || s > (Z[k] as number)) break;
        k--;
      }
      k++;
      V[k] = q;
      F[k] = fq;
      Z[k] = s;
    }
    if (k < 0) {
      for (let t = 0; t < n; t++) ftOut[base + t * stride] = NO_SITE;
      continue;
    }
    let j = 0;
    for (let t = 0; t < n; t++) {
      while (j < k && (Z[j + 1] as number) < t) j++;
      ftOut[base + t * stride] = ftIn[base + (V[j] as number) * stride] as number;
    }
  }
}

/** Nearest site of every voxel: passes along x, y, z. `init` is consumed (used as scratch). */
export function featureTransformCpu(dims: Vec3, spacing: Vec3, init: Uint32Array): Uint32Array {
  const sp = spacing.map((s) => f(s)) as Vec3;
  let a: Uint32Array = init;
  let b: Uint32Array = new Uint32Array(init.length);
  for (const axis of [0, 1, 2] as const) {
    featurePassCpu(dims, sp, axis, a, b);
    [a, b] = [b, a];
  }
  return a;
}
