import { describe, expect, it } from 'vitest';
import { loadCt, loadLabels } from '../../src/platform/node/load';
import { sameGrid } from '../../src/volume/geometry';
import { EXPECTED, data, expectCode } from './helpers';

function counts(labels: Uint8Array): Record<string, number> {
  const c: Record<string, number> = {};
  for (const l of labels) if (l) c[String(l)] = (c[String(l)] ?? 0) + 1;
  return c;
}

describe('DICOM SEG', () => {
  for (const f of [
    'liver.dcm',
    'liver_expb.dcm',
    'seg_image_ct_binary.dcm',
    'seg_image_ct_binary_overlap.dcm',
    'seg_image_ct_true_fractional.dcm',
  ]) {
    it(`${f}: labels as pydicom reads them`, async () => {
      const lab = await loadLabels(data(`seg/${f}`));
      expect(counts(lab.labels)).toEqual(EXPECTED.seg[f]?.labelCounts);
    });
  }

  it('liver_rle.dcm (RLE, 1-bit) equals the uncompressed SEG', async () => {
    const a = await loadLabels(data('seg/liver_rle.dcm'));
    const b = await loadLabels(data('seg/liver.dcm'));
    expect(a.labels.length).toBe(b.labels.length);
    let diff = 0;
    for (let i = 0; i < a.labels.length; i++) if (a.labels[i] !== b.labels[i]) diff++;
    expect(diff).toBe(0);
  });

  it('lands on its source CT grid (dcmqi 3-slice CT)', async () => {
    const ct = await loadCt(data('seg/dcmqi_ct-3slice'));
    const lab = await loadLabels(data('seg/liver.dcm'), { onto: ct });
    expect(sameGrid(lab, ct, 1e-3)).toBe(true);
    expect(counts(lab.labels)).toEqual({ '1': 107098 });
  });

  it('refuses a CT image passed as a segmentation', async () => {
    await expectCode(loadLabels(data('dicom-syntaxes/pydicom_deb/CT_small.dcm')), 'E_INPUT_MODALITY', /expected SEG/);
  });
});
