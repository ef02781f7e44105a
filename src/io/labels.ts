/** Masks / labelmaps (NIfTI or DICOM SEG), optionally brought onto the CT grid. */
import { type Geometry, sameGrid, voxelToWorld, worldToVoxel } from '../volume/geometry';
import { resampleLabelsNearest } from '../volume/resample';
import type { LabelVolume } from '../volume/volume';
import { fail } from './errors';
import { readAll } from './read-all';
import { readDicomSeg } from './dicom-lazy';
import type { InputFile } from './input-file';
import { looksLikeNifti, parseNifti } from './nifti-read';
import { niftiLabels } from './nifti-volume';

export interface LoadLabelsOptions {
  /** Grid to bring the labels onto (usually the CT's). */
  readonly onto?: Geometry;
  /** With `onto`: resample nearest-neighbour when the grids differ (default true); false → E_MASK_GRID instead. */
  readonly resample?: boolean;
  readonly maxVoxels?: number;
  /** A DICOM SEG: read only this segment number, as a binary mask (segments may overlap). */
  readonly segment?: number;
}

/** A labelmap from one file, NIfTI or DICOM SEG (told apart by content), brought onto `opts.onto`. */
export async function readLabels(input: InputFile, opts: LoadLabelsOptions = {}): Promise<LabelVolume> {
  const path = input.name;
  const bytes = await readAll(input);
  const lab = looksLikeNifti(bytes)
    ? niftiLabels(
        await parseNifti(bytes, path, opts.maxVoxels !== undefined ? { maxVoxels: opts.maxVoxels } : {}),
        path,
        opts,
      )
    : await readDicomSeg({ name: path, size: bytes.byteLength, read: async (a, b) => bytes.subarray(a, b) }, opts);
  if (opts.onto === undefined || sameGrid(lab, opts.onto)) return lab;
  const t = opts.onto;
  if (opts.resample === false) {
    fail(
      'E_MASK_GRID',
      path,
      `mask grid ${describe(lab)} differs from the CT grid ${describe(t)} (resampling not allowed)`,
    );
  }
  if (!overlaps(lab, t))
    fail('E_MASK_GRID', path, `mask grid ${describe(lab)} does not overlap the CT grid ${describe(t)} anywhere`);
  const inside = fractionInside(lab, t);
  if (inside === 0) fail('E_MASK_GRID', path, `no labelled voxel of the mask lies inside the CT grid ${describe(t)}`);
  return {
    ...resampleLabelsNearest(lab, t),
    ...(lab.doubts ? { doubts: lab.doubts } : {}),
    resampled:
      `mask resampled nearest-neighbour from grid ${describe(lab)} onto the CT grid ${describe(t)}; ` +
      `${(100 * inside).toFixed(1)} % of its labelled voxels lie inside the CT`,
  };
}

/** Fraction of the labelled voxels of `src` whose centres fall inside the voxels of `dst`. */
function fractionInside(src: LabelVolume, dst: Geometry): number {
  const [nx, ny, nz] = src.dims;
  let all = 0;
  let inside = 0;
  for (let k = 0, n = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, n++) {
        if (src.labels[n] === 0) continue;
        all++;
        const q = worldToVoxel(dst, voxelToWorld(src, [i, j, k]));
        if (q.every((x, a) => x >= -0.5 && x < (dst.dims[a] as number) - 0.5)) inside++;
      }
  return all === 0 ? 1 : inside / all;
}

function describe(g: Geometry): string {
  const f = (v: readonly number[]): string => v.map((x) => Number(x.toFixed(3))).join('×');
  return `${g.dims.join('×')} @ ${f(g.spacing)} mm from (${g.origin.map((x) => x.toFixed(1)).join(', ')})`;
}

/** Whether the boxes of the two grids intersect (corners of `src` in `dst` voxel space). */
export function overlaps(src: Geometry, dst: Geometry): boolean {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const ijk: [number, number, number] = [
      c & 1 ? src.dims[0] - 0.5 : -0.5,
      c & 2 ? src.dims[1] - 0.5 : -0.5,
      c & 4 ? src.dims[2] - 0.5 : -0.5,
    ];
    const q = worldToVoxel(dst, voxelToWorld(src, ijk));
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a] as number, q[a] as number);
      hi[a] = Math.max(hi[a] as number, q[a] as number);
    }
  }
  for (let a = 0; a < 3; a++)
    if ((hi[a] as number) < -0.5 || (lo[a] as number) > (dst.dims[a] as number) - 0.5) return false;
  return true;
}
