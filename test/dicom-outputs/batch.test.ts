/**
 * `perifat batch --seg --sr`: each DICOM case gets its SEG and SR beside its report, valid for
 * dciodvfy; a NIfTI case gets none and says why in its report; a rerun without the flags removes them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/measure/report-types';
import { runCli } from '../helpers/run-cli';
import { tempDir } from '../io/helpers';
import { expectValid } from './dciodvfy';

describe('perifat batch --seg --sr', () => {
  const tmp = tempDir('batch-seg');
  afterAll(() => tmp.done());

  it('writes reports/<caseId>.seg.dcm and .sr.dcm for a DICOM case, none for a NIfTI one', async () => {
    const ph = await runCli(['phantom', '--out', join(tmp.dir, 'ph'), '--dims', '64x64x48']);
    expect(ph.code, ph.err).toBe(0);
    const manifest = join(tmp.dir, 'manifest.csv');
    writeFileSync(
      manifest,
      `caseId,case,ct,pericardium\nreal,${resolve('cases/tcia-a0002-dicom.json')},,\nnifti,,ph/ct.nii.gz,ph/pericardium.nii.gz\n`,
    );
    const out = join(tmp.dir, 'out');
    const run = await runCli(['batch', manifest, '--out', out, '--backend', 'cpu', '--quiet', '--seg', '--sr']);
    expect(run.code, run.err).toBe(0);
    const seg = join(out, 'reports', 'real.seg.dcm');
    const sr = join(out, 'reports', 'real.sr.dcm');
    expectValid(seg, 'Segmentation');
    expectValid(sr, 'Comprehensive3DSR');
    expect(existsSync(join(out, 'reports', 'nifti.seg.dcm'))).toBe(false);
    const nifti = JSON.parse(readFileSync(join(out, 'reports', 'nifti.json'), 'utf8')) as Report;
    expect(nifti.warnings.join('\n')).toContain('no DICOM SEG/SR: the CT is not a DICOM series');

    // Without the flags the cases are measured again (other outputs) and the old SEG/SR go.
    const again = await runCli(['batch', manifest, '--out', out, '--backend', 'cpu', '--quiet']);
    expect(again.code, again.err).toBe(0);
    expect(existsSync(seg) || existsSync(sr)).toBe(false);
    expect(existsSync(join(out, 'reports', 'real.json'))).toBe(true);
  });
});
