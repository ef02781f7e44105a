/** NIfTI image → CtVolume (HU after scl_slope/scl_inter) or LabelVolume (integer labels 0…255). */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { fail } from './errors';
import type { NiftiImage } from './nifti-read';
import { DEFAULT_MAX_VOXELS, type LoadCtOptions } from './dicom-ct';

function checkBudget(img: NiftiImage, path: string, maxVoxels: number | undefined): number {
  const [nx, ny, nz] = img.header.dims;
  const n = nx * ny * nz;
  const budget = maxVoxels ?? DEFAULT_MAX_VOXELS;
  if (n > budget)
    fail('E_TOO_LARGE', path, `volume of ${nx}×${ny}×${nz} = ${n} voxels exceeds the budget of ${budget} voxels`);
  return n;
}

/** A NIfTI image as a CT (HU after scl_slope/scl_inter); `path` names it in errors and the report. */
export function niftiCt(img: NiftiImage, path: string, opts: LoadCtOptions = {}): CtVolume {
  const n = checkBudget(img, path, opts.maxVoxels);
  const { slope, inter } = img.header;
  const raw = img.raw;
  const h = img.header;
  const base = { ...h.geometry, kvp: opts.kvp ?? null, source: path, meta: niftiMeta(img) };
  // The common case, int16 without scaling: every value is a valid HU already (a view, no copy).
  if (raw instanceof Int16Array && slope === 1 && inter === 0) return { ...base, hu: raw };
  let integral = Number.isInteger(slope) && Number.isInteger(inter);
  // One pass to check finiteness and whether int16 holds every value exactly.
  for (let i = 0; i < n; i++) {
    const v = (raw[i] as number) * slope + inter;
    if (!Number.isFinite(v)) fail('E_INPUT_VALUE', path, `voxel ${i} is ${v} (NaN/Inf): not a valid HU value`);
    if (integral && (!Number.isInteger(v) || v < -32768 || v > 32767)) integral = false;
  }
  const hu = integral ? new Int16Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) hu[i] = (raw[i] as number) * slope + inter;
  return { ...base, hu };
}

function niftiMeta(img: NiftiImage): Record<string, string | number> {
  const h = img.header;
  return {
    format: `nifti-${h.version}`,
    datatype: h.datatype,
    sclSlope: h.slope,
    sclInter: h.inter,
    byteOrder: h.littleEndian ? 'LE' : 'BE',
  };
}

export function niftiLabels(img: NiftiImage, path: string, opts: { maxVoxels?: number } = {}): LabelVolume {
  const n = checkBudget(img, path, opts.maxVoxels);
  const { slope, inter } = img.header;
  const raw = img.raw;
  // uint8 without scaling holds valid labels already (a view, no copy).
  if (raw instanceof Uint8Array && slope === 1 && inter === 0) {
    return { ...img.header.geometry, labels: raw, source: path };
  }
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = (raw[i] as number) * slope + inter;
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) {
      fail(
        'E_INPUT_VALUE',
        path,
        `voxel ${i} has label value ${v}: labels must be integers 0…255 (threshold probability maps first)`,
      );
    }
    labels[i] = v;
  }
  return { ...img.header.geometry, labels, source: path };
}
