/**
 * Brute-force float64 oracles of the distance kernels, for small volumes: every voxel against every
 * site. The feature transform and the EDT (src/kernels/feature-transform, src/kernels/edt) and their
 * CPU twins are held to these.
 */
import type { Vec3 } from '../../src/volume/geometry';
import type { EdtOptions } from '../../src/kernels/edt/edt.cpu';

/** Brute-force oracle (f64): squared distance (mm²) from every voxel to its nearest site. */
export function nearestSiteBrute(dims: Vec3, spacing: Vec3, isSite: (v: number) => boolean): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const sites: number[] = [];
  for (let v = 0; v < n; v++) if (isSite(v)) sites.push(v);
  const out = new Float64Array(n).fill(Infinity);
  for (let v = 0; v < n; v++) {
    const x = v % nx;
    const y = Math.floor(v / nx) % ny;
    const z = Math.floor(v / (nx * ny));
    let best = Infinity;
    for (const s of sites) {
      const dx = (x - (s % nx)) * spacing[0];
      const dy = (y - (Math.floor(s / nx) % ny)) * spacing[1];
      const dz = (z - Math.floor(s / (nx * ny))) * spacing[2];
      best = Math.min(best, dx * dx + dy * dy + dz * dz);
    }
    out[v] = best;
  }
  return out;
}

/** Brute-force f64 oracle with the same convention, for small volumes. */
export function edtBrute(dims: Vec3, spacing: Vec3, mask: Uint8Array, opts: EdtOptions = {}): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const fg: number[] = [];
  const bg: number[] = [];
  for (let v = 0; v < n; v++) (mask[v] !== 0 ? fg : bg).push(v);
  const out = new Float64Array(n);
  const nearest = (v: number, set: number[]): number => {
    const x = v % nx;
    const y = Math.floor(v / nx) % ny;
    const z = Math.floor(v / (nx * ny));
    let best = Infinity;
    for (const s of set) {
      const dx = (x - (s % nx)) * spacing[0];
      const dy = (y - (Math.floor(s / nx) % ny)) * spacing[1];
      const dz = (z - Math.floor(s / (nx * ny))) * spacing[2];
      best = Math.min(best, dx * dx + dy * dy + dz * dz);
    }
    return best;
  };
  for (let v = 0; v < n; v++) {
    out[v] = opts.signed && mask[v] !== 0 ? -nearest(v, bg) : mask[v] !== 0 ? 0 : nearest(v, fg);
  }
  return out;
}
