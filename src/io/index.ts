/**
 * perifat input/output: CT (DICOM series, enhanced CT, NIfTI), masks (NIfTI, DICOM SEG),
 * centerlines (perifat-vessels/1 JSON, VTK) and the NIfTI writer. Every failure is a
 * PerifatError naming the file and the problem.
 */
import { statSync } from 'node:fs';
import type { CtVolume } from '../volume/volume';
import { fail } from './errors';
import { loadDicomCt, type LoadCtOptions } from './dicom-ct';
import { isNiftiPath } from './nifti-read';
import { loadNiftiCt } from './nifti-volume';

export type { LoadCtOptions } from './dicom-ct';
export { DEFAULT_MAX_VOXELS } from './dicom-ct';
export { loadLabels, type LoadLabelsOptions } from './labels';
export { loadVessels, type LoadVesselsOptions } from './vessels';
export { writeNifti, encodeNifti } from './nifti-write';
export { resamplePolyline } from './polyline';
export { parseVesselsJson } from './vessels-json';
export { parseVtk } from './vessels-vtk';
export { readDicomFrame, type DicomFrame } from './dicom-frame';

/** Load a CT: folder → DICOM series; .nii/.nii.gz → NIfTI; any other file → DICOM (single or enhanced multi-frame). */
export async function loadCt(path: string, opts: LoadCtOptions = {}): Promise<CtVolume> {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    fail('E_INPUT_NOT_FOUND', path, 'no such file or folder');
  }
  if (!dir && isNiftiPath(path)) return loadNiftiCt(path, opts);
  return loadDicomCt(path, opts);
}
