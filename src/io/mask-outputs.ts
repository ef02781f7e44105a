/**
 * The masks a user can check in any viewer (`--masks-out DIR`, a page's export): each vessel's
 * VOI, rings and lesion regions as labelmaps on the CT grid, with a legend of the labels, as files.
 */
import type { MeasureLayers } from '../measure/measure';
import { RING_COUNT } from '../measure/pericoronary-types';
import type { Geometry, Vec3 } from '../volume/geometry';
import { niftiFileBytes } from './nifti-write';

/** A crop layer placed back into a zero volume of the CT's dims. */
export function uncrop(layer: Uint8Array, crop: { lo: Vec3; hi: Vec3 }, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const cx = crop.hi[0] - crop.lo[0];
  const cy = crop.hi[1] - crop.lo[1];
  const cz = crop.hi[2] - crop.lo[2];
  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      const src = cx * (j + cy * k);
      const dst = crop.lo[0] + nx * (crop.lo[1] + j + ny * (crop.lo[2] + k));
      out.set(layer.subarray(src, src + cx), dst);
    }
  return out;
}

/** The voi/rings/lesions NIfTI labelmaps and labels.json, by file name. */
export function shellMaskFiles(grid: Geometry, m: MeasureLayers, lesionNames: string[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const put = (name: string, layer: Uint8Array) => {
    files.set(name, niftiFileBytes({ ...grid, labels: uncrop(layer, m.crop, grid.dims), source: name }, name));
  };
  put('voi.nii.gz', m.layers.voi);
  put('rings.nii.gz', m.layers.rings);
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
