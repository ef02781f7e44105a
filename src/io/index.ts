/**
 * perifat input/output from bytes — the same in a page, a worker and Node: CT (DICOM series,
 * enhanced CT, NIfTI), masks (NIfTI, DICOM SEG), centerlines (perifat-vessels/1 JSON, VTK) and the
 * NIfTI encoder. Formats are told apart by content, not by name. Every failure is a PerifatError
 * naming the input and the problem. Paths on disk: src/platform/node/load.ts. A new reader or
 * writer is a module here (bytes in, volumes or bytes out), exported from this index.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Geometry } from '../volume/geometry';
import type { VesselSet } from '../volume/vessels';
import type { LoadCtOptions } from './dicom-ct';
import { readDicomCt } from './dicom-lazy';
import { readAll } from './read-all';
import { type BytesInput, type InputFile, toInputFiles } from './input-file';
import { type LoadLabelsOptions, readLabels } from './labels';
import { looksLikeNifti, parseNifti } from './nifti-read';
import { niftiCt } from './nifti-volume';
import { type LoadVesselsOptions, readVesselsFile } from './vessels';
import { fail } from './errors';

export type { LoadCtOptions } from './dicom-ct';
export { DEFAULT_MAX_VOXELS } from './limits';
export type { LoadLabelsOptions } from './labels';
export type { LoadVesselsOptions } from './vessels';
export type { BytesInput, InputFile } from './input-file';
export { toInputFile, toInputFiles } from './input-file';
export { encodeNifti } from './nifti-write';
export { resamplePolyline } from './polyline';
export { parseVesselsJson } from './vessels-json';
export { parseVtk } from './vessels-vtk';
export { vesselsVtp } from './vessels-vtp-write';
export { readDicomFrame } from './dicom-lazy';
export type { DicomFrame } from './dicom-frame';
export { setGunzip } from './gunzip';
export { setCodecWasm, type CodecName, type CodecWasmSource } from './codec-wasm';

/**
 * A CT from files: one NIfTI (.nii or .nii.gz, by content), one DICOM file (single slice or an
 * enhanced multi-frame CT), or the slices of a DICOM series in any order. `source` names it.
 */
export async function readCtFiles(
  files: readonly InputFile[],
  source: string,
  opts: LoadCtOptions = {},
): Promise<CtVolume> {
  if (files.length === 0) fail('E_INPUT_NOT_FOUND', source, 'no files');
  if (files.length === 1) {
    const f = files[0] as InputFile;
    const head = await f.read(0, Math.min(f.size, 544));
    if (looksLikeNifti(head)) {
      const img = await parseNifti(
        await readAll(f),
        f.name,
        opts.maxVoxels !== undefined ? { maxVoxels: opts.maxVoxels } : {},
      );
      return niftiCt(img, f.name, opts);
    }
  }
  return readDicomCt(files, source, opts);
}

/** readCtFiles for bytes: an ArrayBuffer, Blob/File, or an array of them (a DICOM series). */
export function readCt(
  input: BytesInput | readonly BytesInput[],
  opts: LoadCtOptions & { name?: string } = {},
): Promise<CtVolume> {
  const files = toInputFiles(input, opts.name ?? 'ct');
  // One file (a File keeps its own name) is named by itself in errors: "photo.jpg: not a DICOM file".
  const name = opts.name ?? (Array.isArray(input) ? 'ct' : (files[0] as InputFile).name);
  return readCtFiles(files, name, opts);
}

/** A mask (NIfTI or DICOM SEG) resampled nearest-neighbour onto the CT's grid. */
export function readMask(
  input: BytesInput,
  ct: Geometry,
  opts: Omit<LoadLabelsOptions, 'onto'> & { name?: string } = {},
): Promise<LabelVolume> {
  return readLabels(toInputFiles(input, opts.name ?? 'mask')[0] as InputFile, { ...opts, onto: ct });
}

/** Centerlines from perifat-vessels/1 JSON, VTK .vtk or .vtp (bytes, a Blob, or text). */
export function readVessels(
  input: BytesInput | string,
  opts: LoadVesselsOptions & { name?: string } = {},
): Promise<VesselSet> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  return readVesselsFile(toInputFiles(bytes, opts.name ?? 'vessels')[0] as InputFile, opts);
}

export { readLabels, readVesselsFile, readDicomCt };
