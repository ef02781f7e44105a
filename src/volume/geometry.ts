/**
 * Voxel grid geometry in DICOM patient coordinates (LPS, mm).
 *
 * world = origin + D · diag(spacing) · index, with index = (i, j, k) of a voxel centre and
 * D the 3×3 direction-cosine matrix stored row-major: column c of D is the LPS unit vector
 * of voxel axis c (ITK convention). For a DICOM series, columns 0/1 are the row/column
 * direction cosines of ImageOrientationPatient and column 2 their cross product (slice normal).
 */
export type Vec3 = [number, number, number];
/** Row-major 3×3 matrix: m[row * 3 + col]. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export interface Geometry {
  /** Voxels along i (columns, fastest), j (rows), k (slices, slowest). */
  readonly dims: Vec3;
  /** Voxel size in mm along i, j, k. */
  readonly spacing: Vec3;
  /** LPS position (mm) of the centre of voxel (0, 0, 0). */
  readonly origin: Vec3;
  /** Direction cosines, row-major; column c = LPS unit vector of axis c. */
  readonly direction: Mat3;
}

export const IDENTITY3: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function voxelCount(g: Pick<Geometry, 'dims'>): number {
  return g.dims[0] * g.dims[1] * g.dims[2];
}

/** Volume of one voxel in mL (mm³ / 1000). */
export function voxelVolumeMl(g: Pick<Geometry, 'spacing'>): number {
  return (g.spacing[0] * g.spacing[1] * g.spacing[2]) / 1000;
}

/** Continuous voxel index (i, j, k) → LPS mm. */
export function voxelToWorld(g: Geometry, ijk: Vec3): Vec3 {
  const d = g.direction;
  const a = ijk[0] * g.spacing[0];
  const b = ijk[1] * g.spacing[1];
  const c = ijk[2] * g.spacing[2];
  return [
    g.origin[0] + d[0] * a + d[1] * b + d[2] * c,
    g.origin[1] + d[3] * a + d[4] * b + d[5] * c,
    g.origin[2] + d[6] * a + d[7] * b + d[8] * c,
  ];
}

/** LPS mm → continuous voxel index. Uses Dᵀ as the inverse, so D must be orthonormal. */
export function worldToVoxel(g: Geometry, p: Vec3): Vec3 {
  const d = g.direction;
  const x = p[0] - g.origin[0];
  const y = p[1] - g.origin[1];
  const z = p[2] - g.origin[2];
  return [
    (d[0] * x + d[3] * y + d[6] * z) / g.spacing[0],
    (d[1] * x + d[4] * y + d[7] * z) / g.spacing[1],
    (d[2] * x + d[5] * y + d[8] * z) / g.spacing[2],
  ];
}

/** Largest deviation of DᵀD from the identity. */
export function orthonormalityError(m: Mat3): number {
  let worst = 0;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const at = (k: number): number => m[k] as number;
      const dot = at(r) * at(c) + at(3 + r) * at(3 + c) + at(6 + r) * at(6 + c);
      worst = Math.max(worst, Math.abs(dot - (r === c ? 1 : 0)));
    }
  }
  return worst;
}

/**
 * Whether two grids are the same voxel for voxel: equal dims, and spacing, origin and
 * direction equal within `tolMm` (mm) / `tolDir` (cosine units).
 */
export function sameGrid(a: Geometry, b: Geometry, tolMm = 1e-3, tolDir = 1e-4): boolean {
  for (let i = 0; i < 3; i++) {
    if (a.dims[i] !== b.dims[i]) return false;
    if (Math.abs((a.spacing[i] as number) - (b.spacing[i] as number)) > tolMm) return false;
    if (Math.abs((a.origin[i] as number) - (b.origin[i] as number)) > tolMm) return false;
  }
  for (let i = 0; i < 9; i++)
    if (Math.abs((a.direction[i] as number) - (b.direction[i] as number)) > tolDir) return false;
  return true;
}
