/**
 * The masks a user can check in any viewer (`--masks-out DIR`, a page's export): each vessel's
 * VOI, rings and lesion regions as labelmaps on the CT grid, with a legend of the labels, as files.
 * A voxel that belongs to several vessels (an exact tie, e.g. on a stem they share) is in voi.nii.gz
 * under the first of them and in voi-2.nii.gz, voi-3.nii.gz … under the others (rings likewise).
 */
import type { MeasureLayers } from '../measure/measure';
import { RING_COUNT } from '../measure/pericoronary-types';
import { uncrop } from '../volume/crop';
import type { Geometry } from '../volume/geometry';
import { niftiFileBytes } from './nifti-write';

/** The voi/rings/lesions NIfTI labelmaps and labels.json, by file name. */
export function shellMaskFiles(grid: Geometry, m: MeasureLayers, lesionNames: string[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const put = (name: string, layer: Uint8Array) => {
    files.set(name, niftiFileBytes({ ...grid, labels: uncrop(layer, m.crop, grid.dims), source: name }, name));
  };
  put('voi.nii.gz', m.layers.voi);
  put('rings.nii.gz', m.layers.rings);
  (m.layers.ties ?? []).forEach((t, i) => {
    put(`voi-${i + 2}.nii.gz`, t.voi);
    put(`rings-${i + 2}.nii.gz`, t.rings);
  });
  m.layers.lesions.forEach((layer, i) => put(i === 0 ? 'lesions.nii.gz' : `lesions-${i + 1}.nii.gz`, layer));
  const legend = {
    'voi.nii.gz': Object.fromEntries(m.vessels.map((v, i) => [1 + i, `${v} VOI (0 < w ≤ 2r, in segment)`])),
    'rings.nii.gz': Object.fromEntries(
      m.vessels.flatMap((v, i) =>
        Array.from({ length: RING_COUNT }, (_, k) => [1 + i * RING_COUNT + k, `${v} ring ${k}–${k + 1} mm`]),
      ),
    ),
    lesions: Object.fromEntries(lesionNames.map((name, i) => [1 + i, name])),
  };
  files.set('labels.json', new TextEncoder().encode(`${JSON.stringify(legend, null, 2)}\n`));
  return files;
}
