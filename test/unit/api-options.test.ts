/**
 * Options and input errors as a web app meets them: every bad option — an unknown key, a value of
 * the wrong type, a fat window upside down — is E_OPTIONS naming it; a File that is not a scan is
 * named by its own name; files of a DICOM series that are not DICOM are counted in a warning that
 * reaches the report.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MeasureCallOptions, createEngine, readCt } from '../../src/api/index';
import { makePhantom } from '../../src/phantom';
import { data, expectCode } from '../io/helpers';

const ph = makePhantom({ dims: [32, 32, 24], spacing: [0.8, 0.8, 1], noiseSd: 0, seed: 1 });

describe('options', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a window upside down', { window: { lo: 10, hi: -10 } }, /window: lo 10 is above hi -10/],
    ['a window not integer', { window: { lo: -190.5, hi: -30 } }, /window: lo and hi must be integer/],
    ['a window of strings', { window: { lo: '-190', hi: -30 } }, /window: must be \{ lo, hi \}/],
    ['an unknown key', { fatWindow: { lo: -190, hi: -30 } }, /fatWindow: unknown option \(did you mean window\?\)/],
    ['a misspelt key', { wallgap: 1 }, /wallgap: unknown option/],
    ['wall gap as a string', { wallGapMm: '1' }, /wallGapMm: must be a number/],
    ['a segment of one number', { segmentsMm: { RCA: [10] } }, /segmentsMm: RCA must be \[startMm, endMm\]/],
    ['axial limits backwards', { axialLimits: { unit: 'mm', from: 5, to: 1 } }, /axialLimits: from 5 is above to 1/],
    ['a flag rule without id', { flags: [{ threshold: 1, source: 'x', appliesTo: 'vessel' }] }, /flags: each rule/],
    ['onProgress not a function', { onProgress: 1 }, /onProgress: must be a function/],
    ['signal not a signal', { signal: 'stop' }, /signal: must be an AbortSignal/],
    ['wantLayers not boolean', { wantLayers: 'yes' }, /wantLayers: must be true or false/],
  ];
  it.each(cases)('%s → E_OPTIONS', async (_what, options, re) => {
    const engine = await createEngine({ backend: 'cpu' });
    await expectCode(
      engine.measure({ ct: ph.ct, pericardium: ph.pericardium }, options as MeasureCallOptions),
      'E_OPTIONS',
      re,
    );
  });

  it('the engine: an unknown key or backend → E_OPTIONS', async () => {
    await expectCode(createEngine({ backend: 'gpu' } as never), 'E_OPTIONS', /backend: must be webgpu \| cpu \| auto/);
    await expectCode(createEngine({ devise: null } as never), 'E_OPTIONS', /devise: unknown option/);
  });

  it('good options still measure (the checks refuse only what is wrong)', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    const r = await engine.measure(
      { ct: ph.ct, pericardium: ph.pericardium },
      { window: { lo: -190, hi: -30 }, wallGapMm: 0.5, axialLimits: null, kvp: 120, wantLayers: false },
    );
    expect(r.eat?.fatVoxels).toBeGreaterThan(0);
  });
});

describe('input errors name the File', () => {
  it('readCt(photo.jpg) names photo.jpg', async () => {
    const jpeg = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1])], 'photo.jpg');
    const err = await expectCode(readCt(jpeg), 'E_INPUT_FORMAT', /not a DICOM file/);
    expect(err.file).toBe('photo.jpg');
    expect(err.message.startsWith('photo.jpg: ')).toBe(true);
  });

  it('a JPEG and a text file among a series’ slices are counted in a warning the report carries', async () => {
    const dir = data('real-ct/tcia-a0002-siemens-8mm');
    const slices = readdirSync(dir)
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => new File([readFileSync(join(dir, f))], f));
    const stray = [
      new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4])], 'thumb.jpg'),
      new File([new Uint8Array(400)], 'notes.txt'),
    ];
    const ct = await readCt([...slices, ...stray]);
    expect(ct.dims[2]).toBe(slices.length);
    expect(ct.warnings).toEqual([`2 of ${slices.length + 2} file(s) skipped, not DICOM: thumb.jpg, notes.txt`]);
    const report = await (await createEngine({ backend: 'cpu' })).measure({ ct });
    expect(report.warnings).toContain(`input: ${ct.warnings?.[0]}`);
    const clean = await readCt(slices);
    expect(clean.warnings).toBeUndefined();
  });
});

describe('the fallback reason', () => {
  it("auto without WebGPU says why in engine.backend.selection and in the report, as the CLI's does", async () => {
    const engine = await createEngine();
    expect(engine.backend.api).toBe('cpu');
    expect(engine.backend.selection).toMatch(/^auto: no usable WebGPU adapter \(.+\); CPU backend$/);
    const report = await engine.measure({ ct: ph.ct, pericardium: ph.pericardium });
    expect(report.backend.selection).toBe(engine.backend.selection);
    const chosen = await createEngine({ backend: 'cpu' });
    expect(chosen.backend.selection).toBeUndefined();
  });
});
