/**
 * The DICOM readers behind a dynamic import: dcmjs and the pixel codecs are a chunk of their own
 * that a page loads the first time it reads DICOM, not with the package's entry (a NIfTI-only or
 * worker-only app never downloads them). Same signatures as the modules they load.
 */
import type { DicomFrame } from './dicom-frame';
import type { LoadCtOptions } from './dicom-ct';
import type { InputFile } from './input-file';
import type { CtVolume, LabelVolume } from '../volume/volume';

export async function readDicomCt(
  files: readonly InputFile[],
  source: string,
  opts?: LoadCtOptions,
): Promise<CtVolume> {
  return (await import('./dicom-ct')).readDicomCt(files, source, opts);
}

export async function readDicomSeg(input: InputFile, opts?: { maxVoxels?: number }): Promise<LabelVolume> {
  return (await import('./dicom-seg')).readDicomSeg(input, opts);
}

export async function readDicomFrame(input: InputFile, frame?: number): Promise<DicomFrame> {
  return (await import('./dicom-frame')).readDicomFrame(input, frame);
}
