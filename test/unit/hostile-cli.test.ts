/**
 * Hostile input through the command and the readers, each built from a few lines: every failure a
 * file or flag can cause is a typed one-line error (usage errors E_USAGE, exit 2), text from files
 * never drives the terminal, wrong pixels are refused rather than measured, and a resampled mask is
 * said in the report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli';
import { PerifatError } from '../../src/errors';
import { measure } from '../../src/measure/measure';
import { withDefaults } from '../../src/measure/options';
import { prepareVessels } from '../../src/measure/prepare';
import type { Report } from '../../src/measure/report-types';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { loadCt, loadLabels, loadVessels } from '../../src/platform/node/load';
import { writeNifti } from '../../src/platform/node/write';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { data, tempDir } from '../io/helpers';

let t: { dir: string; done: () => void };
let files: Awaited<ReturnType<typeof writePhantom>>;

beforeAll(async () => {
  t = tempDir('hostile-cli');
  files = await writePhantom(makePhantom({ dims: [48, 48, 32], spacing: [0.7, 0.7, 1] }), join(t.dir, 'case'));
});
afterAll(() => t.done());

const run = runCli;

const vesselsJson = (vessels: { name: string; points: number[][]; radii: number[] }[]): string =>
  JSON.stringify({ schema: 'perifat-vessels/1', space: 'LPS', vessels });

describe('flags', () => {
  it('a reversed lesion, a negative kVp, an unknown flag: E_USAGE on one line, exit 2', async () => {
    for (const args of [
      ['--vessels', files.vessels, '--lesions', 'LAD:20-10'],
      ['--kvp', '-120'],
      ['--calcium-guard', '1e6'],
      ['--no-such-flag'],
    ]) {
      const r = await run(['measure', '--ct', files.ct, '--backend', 'cpu', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/^perifat: E_USAGE: [^\n]+$/);
    }
  });
});

describe('centerlines', () => {
  it('a radius of 1e30 mm or 50 mm everywhere is refused; names with control characters are shown escaped', async () => {
    const ct = await loadCt(files.ct);
    const centre = ct.origin.map((o, a) => o + (ct.dims[a] as number) * 0.35 * (ct.spacing[a] as number));
    const pts = [centre, centre.map((x, a) => (a === 2 ? x + 8 : x))];
    for (const radii of [
      [1e30, 1],
      [50, 50],
    ]) {
      const p = join(t.dir, `r${radii[0]}.json`);
      writeFileSync(p, vesselsJson([{ name: 'LAD', points: pts, radii }]));
      await expect(loadVessels(p, { ct })).rejects.toMatchObject({ code: 'E_CENTERLINE' });
    }
    // A vessel whose name would forge a summary line and clear the screen.
    const evil = join(t.dir, 'evil.json');
    writeFileSync(evil, vesselsJson([{ name: 'X\nEAT   volume 999 mL\u001b[2J', points: pts, radii: [1.5, 1.5] }]));
    const out = join(t.dir, 'evil-report.json');
    const csv = join(t.dir, 'evil.csv');
    const r = await run([
      'measure',
      '--ct',
      files.ct,
      '--vessels',
      evil,
      '--backend',
      'cpu',
      '--out',
      out,
      '--csv',
      csv,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\u001b');
    expect(r.out.split('\n').filter((l) => l.startsWith('EAT   volume 999'))).toEqual([]);
    const row = readFileSync(csv, 'utf8');
    expect(row).not.toContain('\u001b');
    expect(row.trim().split('\n')).toHaveLength(2);
  });

  it('a 400 MB centerline file and too many points: refused from their size, at once', async () => {
    const big = join(t.dir, 'big.json');
    writeFileSync(big, '{' + ' '.repeat(65 * 1024 * 1024) + '}');
    await expect(loadVessels(big)).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    const many = join(t.dir, 'many.json');
    const n = 21_000;
    const pts = Array.from({ length: n }, (_, i) => [0, 0, i * 0.01]);
    writeFileSync(many, vesselsJson([{ name: 'LAD', points: pts, radii: pts.map(() => 1) }]));
    await expect(loadVessels(many)).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: /limit 20000\b/ });
    // The budget is a flag: raised, the same file reads, and the set carries its budget to the
    // measurement, which checks vessels an app builds against the same number.
    const read = await loadVessels(many, { maxPoints: 30_000 });
    expect(read.vessels[0]?.points).toHaveLength(n);
    expect(read.maxPoints).toBe(30_000);
    expect(() => prepareVessels(read, withDefaults({}), [])).not.toThrow();
    expect(() => prepareVessels({ ...read, maxPoints: undefined }, withDefaults({}), [])).toThrow(/limit 20000\b/);
  });

  it('--max-points and --max-voxels: lowered budgets refuse what the defaults accept, also through a case file', async () => {
    const r = await run([
      'measure',
      '--ct',
      files.ct,
      '--vessels',
      files.vessels,
      '--backend',
      'cpu',
      '--max-points',
      '10',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^perifat: E_TOO_LARGE: .*limit 10; --max-points/m);
    const bad = await run(['measure', '--ct', files.ct, '--backend', 'cpu', '--max-points', '1e3x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-points expects a positive whole number/);
    const caseFile = join(t.dir, 'limited-case.json');
    writeFileSync(caseFile, JSON.stringify({ schema: 'perifat-case/1', ct: files.ct, vessels: files.vessels }));
    const viaCase = await run(['measure', '--case', caseFile, '--backend', 'cpu', '--max-voxels', '1000']);
    expect(viaCase.err).toMatch(/E_TOO_LARGE/);
    const ok = await run(['measure', '--case', caseFile, '--backend', 'cpu', '--max-points', '100000']);
    expect(ok.code).toBe(0);
  });
});

describe('case files', () => {
  it('wrong types, a growth of 1e9 mm, a vessel without its mask: a typed error naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ schema: 'perifat-case/1', ct: 42 }, /ct: expected a path/],
      [
        { schema: 'perifat-case/1', ct: files.ct, pericardium: { mask: files.pericardium, growMm: 1e9 } },
        /pericardium\.growMm/,
      ],
      [{ schema: 'perifat-case/1', ct: files.ct, vessels: [{ name: 'AORTA' }] }, /vessels\[0\]\.fromMask/],
      [{ schema: 'perifat-case/1', ct: files.ct, kvp: 'high' }, /kvp/],
    ];
    for (const [doc, re] of cases) {
      const p = join(t.dir, 'case.json');
      writeFileSync(p, JSON.stringify(doc));
      const r = await run(['measure', '--case', p, '--backend', 'cpu']);
      expect(r.code, JSON.stringify(doc)).toBe(3);
      expect(r.err).toMatch(/^perifat: E_INPUT_FORMAT: /);
      expect(r.err).toMatch(re);
    }
  });
});

describe('wrong pixels are refused, not measured', () => {
  it('scl_slope 1e30 pushes values out of the CT range: E_INPUT_VALUE, not "rounded"', async () => {
    const ct = await loadCt(files.ct);
    const p = join(t.dir, 'slope.nii');
    writeNifti({ ...ct, hu: Float32Array.from(ct.hu, (v) => v * 1e30) }, p);
    const r = await run(['measure', '--ct', p, '--backend', 'cpu']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/E_INPUT_VALUE: .*outside the CT range/);
  });

  it('a JPEG lossless frame cut short, or whose SOF claims 65535²: E_INPUT_PIXELS', async () => {
    const src = readFileSync(data('dicom-syntaxes/dwv_nema/nema-ct1_jpll.dcm'));
    const sof = src.indexOf(Buffer.from([0xff, 0xc3]));
    const eoi = src.lastIndexOf(Buffer.from([0xff, 0xd9]));
    expect(sof).toBeGreaterThan(0);
    const patched = Buffer.from(src);
    patched.writeUInt16BE(65535, sof + 5);
    patched.writeUInt16BE(65535, sof + 7);
    const p1 = join(t.dir, 'sof.dcm');
    writeFileSync(p1, patched);
    await expect(loadCt(p1)).rejects.toMatchObject({ code: 'E_INPUT_PIXELS' });
    // The last fragment's data after its first third zeroed, its end-of-image marker with it (the
    // fragment items stay intact, as when a writer cut the codestream short and padded it).
    const item = src.lastIndexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]), eoi);
    const cut = Buffer.from(src);
    cut.fill(0, item + 8 + Math.floor((eoi - item - 8) / 3), eoi + 2);
    const p2 = join(t.dir, 'cut.dcm');
    writeFileSync(p2, cut);
    await expect(loadCt(p2)).rejects.toMatchObject({ code: 'E_INPUT_PIXELS' });
  });
});

describe('resampling is said', () => {
  it('a pericardium mask one voxel narrower than the CT: measured, with both grids in a warning', async () => {
    const ct = await loadCt(files.ct);
    const mask = await loadLabels(files.pericardium);
    const [nx, ny, nz] = mask.dims;
    const narrow = new Uint8Array((nx - 1) * ny * nz);
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx - 1; i++)
          narrow[i + (nx - 1) * (j + ny * k)] = mask.labels[i + nx * (j + ny * k)] as number;
    const p = join(t.dir, 'narrow.nii.gz');
    writeNifti({ ...mask, dims: [nx - 1, ny, nz], labels: narrow }, p);
    const resampled = await loadLabels(p, { onto: ct });
    const report: Report = await measure({ ct, pericardium: resampled, vessels: null }, new CpuMeasureBackend());
    const w = report.warnings.find((x) => x.includes('resampled'));
    expect(w).toContain(`${nx - 1}×${ny}×${nz}`);
    expect(w).toContain(`${nx}×${ny}×${nz}`);
    expect(w).toMatch(/100\.0 % of its labelled voxels lie inside the CT/);
    expect(report.eat?.fatVoxels).toBeGreaterThan(0);
    expect(PerifatError).toBeDefined();
  });
});
