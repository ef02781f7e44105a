/**
 * writePhantom: the phantom's files for the CLI and the end-to-end tests:
 *   ct.nii.gz, pericardium.nii.gz, coronary.nii.gz (the lumen: a coronary mask), vessels.json
 *   (perifat-vessels/1, LPS), expected.json (truth), aorta.nii.gz with aortic sinuses, and with
 *   { dicom: true } a dicom/ CT series. Every file is written atomically.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeNifti } from './write';
import type { VesselSet } from '../../volume/vessels';
import { writeFileAtomic } from '../../util/atomic-write';
import { writeDicomSeries } from './phantom-dicom';
import type { Phantom } from '../../phantom/types';

export interface WriteOptions {
  dicom?: boolean;
}

export interface WrittenFiles {
  ct: string;
  pericardium: string;
  coronary: string;
  aorta: string | null;
  vessels: string;
  expected: string;
  dicom: string | null;
}

export async function writePhantom(phantom: Phantom, outDir: string, opts: WriteOptions = {}): Promise<WrittenFiles> {
  const files: WrittenFiles = {
    ct: join(outDir, 'ct.nii.gz'),
    pericardium: join(outDir, 'pericardium.nii.gz'),
    coronary: join(outDir, 'coronary.nii.gz'),
    aorta: phantom.aorta ? join(outDir, 'aorta.nii.gz') : null,
    vessels: join(outDir, 'vessels.json'),
    expected: join(outDir, 'expected.json'),
    dicom: opts.dicom ? join(outDir, 'dicom') : null,
  };
  const truth = phantom.truth;
  await mkdir(outDir, { recursive: true });
  // NIfTI carries no kVp: expected.json's input.kvp says which to pass when loading ct.nii.gz.
  writeNifti(phantom.ct, files.ct);
  writeNifti(phantom.pericardium, files.pericardium);
  writeNifti(phantom.coronaryMask, files.coronary);
  if (phantom.aorta && files.aorta) writeNifti(phantom.aorta, files.aorta);
  writeFileAtomic(files.vessels, JSON.stringify(vesselsJson(phantom.vessels), null, 1) + '\n');
  writeFileAtomic(files.expected, JSON.stringify(truth, null, 2) + '\n');
  if (files.dicom) await writeDicomSeries(phantom.ct, files.dicom);
  return files;
}

/** perifat-vessels/1 (METHOD.md §1), space LPS. */
export function vesselsJson(set: VesselSet): unknown {
  return {
    schema: 'perifat-vessels/1',
    space: 'LPS',
    vessels: set.vessels.map((v) => ({ name: v.name, points: v.points.map((p) => [...p]), radii: [...v.radii] })),
    lesions: set.lesions.map((l) => ({ vessel: l.vessel, start_mm: l.startMm, end_mm: l.endMm })),
  };
}
