/** Node writers over the byte encoders of src/io: every file written whole or not at all. */
import { join } from 'node:path';
import type { MeasureLayers } from '../../measure/measure';
import { shellMaskFiles } from '../../io/mask-outputs';
import { niftiFileBytes } from '../../io/nifti-write';
import { writeFileAtomic } from '../../util/atomic-write';
import type { Geometry } from '../../volume/geometry';
import type { CtVolume, LabelVolume } from '../../volume/volume';

export function writeNifti(vol: CtVolume | LabelVolume, path: string): void {
  writeFileAtomic(path, niftiFileBytes(vol, path));
}

/** Writes voi/rings/lesions NIfTI labelmaps and labels.json into `dir`; returns the file names. */
export function writeShellMasks(dir: string, grid: Geometry, m: MeasureLayers, lesionNames: string[]): string[] {
  const files = shellMaskFiles(grid, m, lesionNames);
  for (const [name, bytes] of files) writeFileAtomic(join(dir, name), bytes);
  return [...files.keys()];
}
