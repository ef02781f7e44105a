/** NIfTI image → CtVolume (HU after scl_slope/scl_inter) or LabelVolume (integer labels 0…255). */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { fail } from './errors';
import type { NiftiImage } from './nifti-read';
import type { LoadCtOptions } from './dicom-ct';
import { DEFAULT_MAX_VOXELS } from './limits';

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
  const base = {
    ...h.geometry,
    kvp: opts.kvp ?? null,
    source: path,
    meta: niftiMeta(img),
    ...(h.doubts.length ? { doubts: h.doubts } : {}),
  };
  // Values that cannot be Hounsfield units are refused, naming the likely cause: a CT holds air
  // (−1000 HU) and fat (−100 HU), so a type and scaling that cannot go below 0, or data with no
  // voxel below 0, are raw stored values (a missing rescale), not HU.
  const lowest = (raw instanceof Int8Array ? -128 : isUnsigned(raw) ? 0 : -Infinity) * Math.abs(slope) + inter;
  if (lowest > -500)
    fail(
      'E_INPUT_VALUE',
      path,
      `${img.header.datatype === 256 ? 'int8' : 'unsigned'} voxels with scl_slope ${slope} and scl_inter ${inter} cannot hold Hounsfield units (air is −1000 HU): raw stored values without their rescale?`,
    );
  // The common case, int16 without scaling: every value is a valid HU already (a view, no copy).
  if (raw instanceof Int16Array && slope === 1 && inter === 0) {
    checkLooksLikeHu(raw, path);
    return { ...base, hu: raw };
  }
  let integral = Number.isInteger(slope) && Number.isInteger(inter);
  // One pass to check finiteness and whether int16 holds every value exactly.
  for (let i = 0; i < n; i++) {
    const v = (raw[i] as number) * slope + inter;
    if (!Number.isFinite(v)) fail('E_INPUT_VALUE', path, `voxel ${i} is ${v} (NaN/Inf): not a valid HU value`);
    if (integral && (!Number.isInteger(v) || v < -32768 || v > 32767)) integral = false;
  }
  const hu = integral ? new Int16Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) hu[i] = (raw[i] as number) * slope + inter;
  checkLooksLikeHu(hu, path);
  return { ...base, hu };
}

function isUnsigned(a: ArrayLike<number>): boolean {
  return a instanceof Uint8Array || a instanceof Uint16Array || a instanceof Uint32Array;
}

/** No voxel below 0 HU: no air, no fat — raw stored values (a missing rescale), not a CT in HU. */
function checkLooksLikeHu(hu: Int16Array | Float32Array, path: string): void {
  for (let i = 0; i < hu.length; i++) if ((hu[i] as number) < 0) return;
  fail(
    'E_INPUT_VALUE',
    path,
    'no voxel is below 0 HU (a CT holds air near −1000 and fat near −100): raw stored values without their rescale slope/intercept?',
  );
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
    return { ...img.header.geometry, labels: raw, source: path, ...doubtsOf(img) };
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
  return { ...img.header.geometry, labels, source: path, ...doubtsOf(img) };
}

function doubtsOf(img: NiftiImage): { doubts?: readonly string[] } {
  return img.header.doubts.length ? { doubts: img.header.doubts } : {};
}
