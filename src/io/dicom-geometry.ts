/**
 * Slice stack → voxel grid: slices are ordered by their position along the slice normal
 * (never by file name or InstanceNumber), the spacing comes from the positions, and stacks a
 * regular grid cannot describe (duplicates, gaps, uneven spacing, gantry tilt, mixed
 * orientation) are refused with a typed error naming the slices.
 */
import type { Geometry, Mat3, Vec3 } from '../volume/geometry';
import { fail } from './errors';

export interface SliceRef {
  /** File the slice is in, and its frame there (0 for single-frame files). */
  readonly path: string;
  readonly frame: number;
  /** ImagePositionPatient: LPS of the centre of the first pixel. */
  readonly ipp: Vec3;
  /** ImageOrientationPatient: row direction (along i), then column direction (along j). */
  readonly iop: readonly number[];
  /** PixelSpacing: [between rows (j), between columns (i)] in mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly slope: number | null;
  readonly intercept: number | null;
}

export interface StackOptions {
  /** Largest allowed deviation of one slice gap from the mean gap, relative (default 0.01 = 1 %). */
  readonly spacingTolerance?: number;
  /** Largest allowed angle (degrees) between the slice normal and the stacking direction (default 0.1°). */
  readonly tiltToleranceDeg?: number;
  /** Slice gap (mm) for a single slice; default SpacingBetweenSlices/SliceThickness from the caller, else 1. */
  readonly singleSliceSpacing?: number;
}

export function sliceName(s: SliceRef): string {
  return s.frame > 0 || /#/.test(s.path) ? `${s.path} (frame ${s.frame + 1})` : s.path;
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export function stackGeometry(
  slices: readonly SliceRef[],
  rows: number,
  cols: number,
  source: string,
  opts: StackOptions = {},
): { geometry: Geometry; sorted: SliceRef[] } {
  const s0 = slices[0];
  if (s0 === undefined) fail('E_INPUT_SERIES', source, 'no image slices');
  const iop = s0.iop;
  for (const s of slices) {
    for (let i = 0; i < 6; i++) {
      if (Math.abs((s.iop[i] as number) - (iop[i] as number)) > 1e-4) {
        fail('E_INPUT_GEOMETRY', source, `slices have different orientations (${sliceName(s0)} vs ${sliceName(s)})`);
      }
    }
    if (
      Math.abs(s.pixelSpacing[0] - s0.pixelSpacing[0]) > 1e-4 ||
      Math.abs(s.pixelSpacing[1] - s0.pixelSpacing[1]) > 1e-4
    ) {
      fail('E_INPUT_GEOMETRY', source, `slices have different pixel spacings (${sliceName(s0)} vs ${sliceName(s)})`);
    }
  }
  const row = unit([iop[0] as number, iop[1] as number, iop[2] as number], source);
  const col = unit([iop[3] as number, iop[4] as number, iop[5] as number], source);
  if (Math.abs(dot(row, col)) > 1e-3)
    fail('E_INPUT_GEOMETRY', source, 'ImageOrientationPatient row and column directions are not perpendicular');
  const normal: Vec3 = [
    row[1] * col[2] - row[2] * col[1],
    row[2] * col[0] - row[0] * col[2],
    row[0] * col[1] - row[1] * col[0],
  ];
  const [ps0, ps1] = s0.pixelSpacing;
  if (!(ps0 > 0 && ps1 > 0)) fail('E_INPUT_GEOMETRY', source, `invalid PixelSpacing ${ps0}\\${ps1}`);

  const sorted = [...slices].sort((a, b) => dot(a.ipp, normal) - dot(b.ipp, normal));
  const z = sorted.map((s) => dot(s.ipp, normal));
  let spacingK: number;
  if (sorted.length === 1) {
    spacingK = opts.singleSliceSpacing !== undefined && opts.singleSliceSpacing > 0 ? opts.singleSliceSpacing : 1;
  } else {
    const n = sorted.length;
    const first = z[0] as number;
    const last = z[n - 1] as number;
    spacingK = (last - first) / (n - 1);
    for (let k = 1; k < n; k++) {
      const gap = (z[k] as number) - (z[k - 1] as number);
      const a = sorted[k - 1] as SliceRef;
      const b = sorted[k] as SliceRef;
      if (gap < Math.max(1e-3, 0.01 * spacingK)) {
        fail(
          'E_INPUT_SERIES',
          source,
          `duplicate slice position ${fmt(z[k] as number)} mm along the normal: ${sliceName(a)} and ${sliceName(b)}`,
        );
      }
    }
    // Gaps are compared with the typical (median) one: one slice out of place shows as two unequal
    // neighbouring gaps that add up to two regular ones, and is named as that slice; a missing slice
    // as one gap of several regular ones.
    const gaps = z.slice(1).map((v, k) => v - (z[k] as number));
    const typical = [...gaps].sort((p, q) => p - q)[Math.floor(gaps.length / 2)] as number;
    const tol = Math.max(1e-3, (opts.spacingTolerance ?? 0.01) * typical);
    const off = (g: number): boolean => Math.abs(g - typical) > tol;
    for (let k = 1; k < n; k++) {
      const gap = gaps[k - 1] as number;
      if (!off(gap)) continue;
      const a = sorted[k - 1] as SliceRef;
      const b = sorted[k] as SliceRef;
      const next = gaps[k];
      if (next !== undefined && off(next) && Math.abs(gap + next - 2 * typical) <= 2 * tol) {
        fail(
          'E_INPUT_GEOMETRY',
          source,
          `${sliceName(b)} is ${fmt(gap - typical)} mm off its place in the series (slices are ${fmt(typical)} mm apart)`,
        );
      }
      const ratio = gap / typical;
      if (Math.round(ratio) >= 2 && Math.abs(gap - Math.round(ratio) * typical) <= tol * Math.round(ratio)) {
        fail(
          'E_INPUT_SERIES',
          source,
          `missing slice(s): gap of ${fmt(gap)} mm (${Math.round(ratio) - 1} slice(s) of ${fmt(typical)} mm) between ${sliceName(a)} and ${sliceName(b)}`,
        );
      }
      fail(
        'E_INPUT_GEOMETRY',
        source,
        `uneven slice spacing: gap of ${fmt(gap)} mm between ${sliceName(a)} and ${sliceName(b)}, typical gap ${fmt(typical)} mm`,
      );
    }
    // Gantry tilt: positions step off the normal (sheared grid).
    const d: Vec3 = [
      (sorted[n - 1] as SliceRef).ipp[0] - s0ipp(sorted)[0],
      (sorted[n - 1] as SliceRef).ipp[1] - s0ipp(sorted)[1],
      (sorted[n - 1] as SliceRef).ipp[2] - s0ipp(sorted)[2],
    ];
    const along = dot(d, normal);
    const lateral = Math.hypot(d[0] - along * normal[0], d[1] - along * normal[1], d[2] - along * normal[2]);
    const angle = (Math.atan2(lateral, Math.abs(along)) * 180) / Math.PI;
    if (angle > (opts.tiltToleranceDeg ?? 0.1)) {
      fail(
        'E_INPUT_GEOMETRY',
        source,
        `gantry tilt / sheared stack: slices step ${fmt(angle)}° off the slice normal (not supported; resample the series first)`,
      );
    }
  }
  const direction: Mat3 = [row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]];
  const origin = s0ipp(sorted);
  return {
    geometry: {
      dims: [cols, rows, sorted.length],
      spacing: [ps1, ps0, spacingK],
      origin: [origin[0], origin[1], origin[2]],
      direction,
    },
    sorted,
  };
}

function s0ipp(sorted: readonly SliceRef[]): Vec3 {
  return (sorted[0] as SliceRef).ipp;
}

function unit(v: Vec3, source: string): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (!(Math.abs(n - 1) < 0.01))
    fail('E_INPUT_GEOMETRY', source, `ImageOrientationPatient has a non-unit direction (${v.join(', ')})`);
  return [v[0] / n, v[1] / n, v[2] / n];
}

function fmt(x: number): string {
  return Number(x.toFixed(4)).toString();
}
