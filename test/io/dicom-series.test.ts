import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCt } from '../../src/platform/node/load';
import type { CtVolume } from '../../src/volume/volume';
import { EXPECTED, data, expectCode, huAt, patchDicom, sum, tempDir } from './helpers';

function expectMatches(v: CtVolume, name: string): void {
  const e = EXPECTED[name];
  if (!e) throw new Error(`no expected values for ${name}`);
  expect([...v.dims]).toEqual(e.dims);
  v.spacing.forEach((s, a) => expect(s).toBeCloseTo(e.spacing[a] as number, 5));
  v.origin.forEach((s, a) => expect(s).toBeCloseTo(e.origin[a] as number, 4));
  v.direction.forEach((s, a) => expect(s).toBeCloseTo(e.direction[a] as number, 6));
  expect(v.kvp).toBe(e.kvp);
  expect(v.hu).toBeInstanceOf(e.integral ? Int16Array : Float32Array);
  for (const { ijk, hu } of e.voxels) expect(huAt(v, ijk[0], ijk[1], ijk[2]), `HU at ${ijk.join(',')}`).toBe(hu);
  const slice = v.dims[0] * v.dims[1];
  e.sliceSums.forEach((s, k) => expect(sum(v.hu.subarray(k * slice, (k + 1) * slice)), `sum of slice ${k}`).toBe(s));
  expect(sum(v.hu)).toBe(e.sum);
}

const CARDIAC = 'dicom-syntaxes/pydicom_deb/dicomdir_CT5N_cardiac_smartscore_16x16';

describe('DICOM series: real CT', () => {
  it('loads the Philips 64-slice series (implicit VR) as pydicom reads it', async () => {
    const v = await loadCt(data('real-ct/tcia-a0001-philips-5mm'));
    expectMatches(v, 'real-ct/tcia-a0001-philips-5mm');
    expect(v.meta).toMatchObject({
      modality: 'CT',
      manufacturer: 'Philips',
      bitsStored: 12,
      pixelRepresentation: 0,
      transferSyntax: '1.2.840.10008.1.2',
    });
  });

  it('loads the Siemens 30-slice series (explicit VR) as pydicom reads it', async () => {
    const v = await loadCt(data('real-ct/tcia-a0002-siemens-8mm'));
    expectMatches(v, 'real-ct/tcia-a0002-siemens-8mm');
    expect(v.meta?.['rescaleIntercept']).toBe(-1024);
  });

  it('meta holds no patient identifiers', async () => {
    const v = await loadCt(data(CARDIAC));
    const text = JSON.stringify(v.meta);
    expect(text).not.toMatch(/Patient|BirthDate|StudyInstanceUID|AccessionNumber/i);
    expect(Object.keys(v.meta ?? {})).not.toContain('patientName');
  });

  it('loads the gated cardiac 16×16 series and the 3-slice dcmqi CT', async () => {
    const v = await loadCt(data(CARDIAC));
    expectMatches(v, CARDIAC);
    expect(v.meta?.['paddingHu']).toBe(-3024);
    expectMatches(await loadCt(data('seg/dcmqi_ct-3slice')), 'seg/dcmqi_ct-3slice');
  });
});

describe('DICOM series: ordering and bad folders', () => {
  const files = readdirSync(data(CARDIAC)).sort();

  it('orders slices by position, not by file name', async () => {
    const t = tempDir('order');
    try {
      // Reverse-and-shuffle the names so name order contradicts position order.
      const names = ['e', 'a', 'd', 'b', 'c'];
      files.forEach((f, i) => copyFileSync(join(data(CARDIAC), f), join(t.dir, `${names[i]}.dcm`)));
      expectMatches(await loadCt(t.dir), CARDIAC);
    } finally {
      t.done();
    }
  });

  it('refuses duplicate, missing, uneven and tilted slices', async () => {
    const t = tempDir('bad');
    const src = (i: number): string => join(data(CARDIAC), files[i] as string);
    try {
      const fresh = (tag: string): string => {
        const d = join(t.dir, tag);
        require_mkdir(d);
        files.forEach((f, i) => copyFileSync(src(i), join(d, f)));
        return d;
      };
      let d = fresh('dup');
      copyFileSync(src(2), join(d, 'copy-of-2'));
      await expectCode(loadCt(d), 'E_INPUT_SERIES', /duplicate slice position/);

      d = fresh('missing');
      require_rm(join(d, files[2] as string));
      await expectCode(loadCt(d), 'E_INPUT_SERIES', /missing slice/);

      d = fresh('uneven');
      patchDicom(src(1), join(d, files[1] as string), (x) => {
        const ipp = x['00200032']?.Value as number[];
        ipp[2] = (ipp[2] as number) + 0.8;
      });
      // The displaced slice is named, not its neighbours.
      const err = await expectCode(loadCt(d), 'E_INPUT_GEOMETRY', /is 0\.8 mm off its place in the series/);
      expect(err.message).toContain(`${files[1] as string} is`);

      d = fresh('tilt');
      files.forEach((f, i) =>
        patchDicom(src(i), join(d, f), (x) => {
          const ipp = x['00200032']?.Value as number[];
          ipp[1] = (ipp[1] as number) + 0.3 * (ipp[2] as number); // y shifts with z: a tilted gantry
        }),
      );
      await expectCode(loadCt(d), 'E_INPUT_GEOMETRY', /gantry tilt/);
    } finally {
      t.done();
    }
  });

  it('lists the series of a mixed folder, and loads the one asked for', async () => {
    const t = tempDir('mixed');
    try {
      files.forEach((f, i) =>
        patchDicom(join(data(CARDIAC), f), join(t.dir, f), (x) => {
          if (i >= 3) (x['0020000E'] as { Value: unknown[] }).Value = ['1.2.3.4.5'];
        }),
      );
      const e = await expectCode(loadCt(t.dir), 'E_INPUT_SERIES', /2 image series/);
      expect(e.message).toContain('1.2.3.4.5');
      const v = await loadCt(t.dir, { seriesUid: '1.2.3.4.5' });
      expect(v.dims).toEqual([16, 16, 2]);
      await expectCode(loadCt(t.dir, { seriesUid: '9.9' }), 'E_INPUT_SERIES', /not found/);
    } finally {
      t.done();
    }
  });

  it('refuses non-CT, CT without rescale (unless a default is given), and volumes over the budget', async () => {
    const t = tempDir('meta');
    try {
      const f = join(t.dir, 'x.dcm');
      patchDicom(data('dicom-syntaxes/pydicom_deb/CT_small.dcm'), f, (x) => {
        (x['00080060'] as { Value: unknown[] }).Value = ['MR'];
      });
      await expectCode(loadCt(f), 'E_INPUT_MODALITY', /modality is MR/);
      patchDicom(data('dicom-syntaxes/pydicom_deb/CT_small.dcm'), f, (x) => {
        delete x['00281052'];
        delete x['00281053'];
      });
      await expectCode(loadCt(f), 'E_INPUT_RESCALE', /RescaleIntercept/);
      const v = await loadCt(f, { defaultRescale: { slope: 1, intercept: -1024 } });
      expect(sum(v.hu)).toBe(EXPECTED['dicom-syntaxes/pydicom_deb/CT_small.dcm']?.sum);
      patchDicom(data('dicom-syntaxes/pydicom_deb/CT_small.dcm'), f, (x) => {
        (x['00281053'] as { Value: unknown[] }).Value = [0.5];
      });
      const half = await loadCt(f);
      expect(half.hu).toBeInstanceOf(Float32Array); // non-integral slope → float HU
      await expectCode(
        loadCt(data('real-ct/tcia-a0002-siemens-8mm'), { maxVoxels: 512 * 512 * 29 }),
        'E_TOO_LARGE',
        /budget/,
      );
      await expectCode(loadCt(join(t.dir, 'nope')), 'E_INPUT_NOT_FOUND');
    } finally {
      t.done();
    }
  });

  it('refuses a truncated slice and an empty folder', async () => {
    const t = tempDir('trunc');
    try {
      files.forEach((f) => copyFileSync(join(data(CARDIAC), f), join(t.dir, f)));
      const victim = join(t.dir, files[1] as string);
      const b = readFileSync(victim);
      writeFileSync(victim, b.subarray(0, b.length - 100));
      const e = await expectCode(loadCt(t.dir), 'E_INPUT_TRUNCATED');
      expect(e.file).toBe(victim);
      const empty = join(t.dir, 'empty');
      require_mkdir(empty);
      writeFileSync(join(empty, 'readme.txt'), 'not dicom');
      await expectCode(loadCt(empty), 'E_INPUT_FORMAT', /no DICOM files/);
    } finally {
      t.done();
    }
  });
});

import { mkdirSync, rmSync } from 'node:fs';
function require_mkdir(d: string): void {
  mkdirSync(d, { recursive: true });
}
function require_rm(f: string): void {
  rmSync(f);
}
