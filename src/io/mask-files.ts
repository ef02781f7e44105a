/**
 * The masks of a measurement as files (the CLI's `--masks-out`, a batch's `--masks`, a page's
 * export): eat.nii.gz — the EAT fat voxels — with a pericardium, and each vessel's VOI, rings and
 * lesion labelmaps with their legend when the measurement returned its layers. Encoding only: the
 * EAT mask itself is the measurement's (src/measure/eat-mask.ts).
 */
import type { MeasureInput, MeasureLayers } from '../measure/measure';
import { eatMask } from '../measure/eat-mask';
import type { MeasureOptions } from '../measure/options';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Report } from '../measure/report-types';
import { shellMaskFiles } from './mask-outputs';
import { niftiFileBytes } from './nifti-write';

export function maskFiles(
  input: MeasureInput,
  options: Partial<MeasureOptions>,
  report: Report,
  layers: MeasureLayers | null,
): Map<string, Uint8Array> {
  const { ct, pericardium } = input;
  const files = new Map<string, Uint8Array>();
  if (pericardium) {
    const eat = eatMask(ct, pericardium, options);
    files.set('eat.nii.gz', niftiFileBytes({ ...ct, labels: eat, source: 'eat' }, 'eat.nii.gz'));
  }
  if (layers) {
    const lesionNames = report.lesions.map((l) => `${l.vessel} lesion ${l.startMm}–${l.endMm} mm`);
    for (const [name, bytes] of shellMaskFiles(ct, layers, lesionNames)) files.set(name, bytes);
  }
  return files;
}

/** A volume as the bytes of `name` (.nii or .nii.gz), for a download or a viewer. */
export function encodeNiftiFile(vol: CtVolume | LabelVolume, name: string): Uint8Array {
  return niftiFileBytes(vol, name);
}
