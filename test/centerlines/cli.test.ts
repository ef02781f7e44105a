/**
 * The command line from a mask to numbers: `perifat centerlines` (JSON + .vtp), `perifat measure
 * --coronary-mask` (centerlines derived in the run, recorded in the report, reproduced by a rerun
 * with --vessels on that report), `--totalseg DIR`, a case file and a batch manifest with the new
 * keys, and typed errors for bad masks.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVesselsFile } from '../../src/io/vessels';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom/generate';
import { writeNifti } from '../../src/platform/node/write';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { fileAt } from '../../src/platform/node/files';
import { runCli } from '../helpers/run-cli';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-centerlines-cli-'));
  const p = makePhantom({
    tree: { branchesFrom: 'ostium', branches: 2 },
    aorticSinuses: true,
    dims: [128, 128, 128],
    spacing: [0.6, 0.6, 0.6],
    noiseSd: 10,
    seed: 3,
  });
  await writePhantom(p, dir);
  // A TotalSegmentator-like folder: its file names, no pericardium (heart grown instead).
  const ts = join(dir, 'totalseg');
  mkdirSync(ts);
  copyFileSync(join(dir, 'coronary.nii.gz'), join(ts, 'coronary_arteries.nii.gz'));
  copyFileSync(join(dir, 'aorta.nii.gz'), join(ts, 'aorta.nii.gz'));
  copyFileSync(join(dir, 'pericardium.nii.gz'), join(ts, 'heart.nii.gz'));
  // An empty mask and a mask on another grid.
  writeNifti({ ...p.coronaryMask, labels: new Uint8Array(p.coronaryMask.labels.length) }, join(dir, 'empty.nii.gz'));
  writeNifti(
    { ...p.coronaryMask, dims: [64, 64, 64], spacing: [1.2, 1.2, 1.2], labels: new Uint8Array(64 ** 3).fill(1) },
    join(dir, 'other-grid.nii.gz'),
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (f: string) => join(dir, f);
const json = <T>(f: string): T => JSON.parse(readFileSync(at(f), 'utf8')) as T;

describe('perifat centerlines', () => {
  it('writes named centerlines as perifat-vessels/1 and .vtp that read back to the same lines', async () => {
    const r = await runCli([
      'centerlines',
      ...['--ct', at('ct.nii.gz'), '--coronary-mask', at('coronary.nii.gz'), '--aorta', at('aorta.nii.gz')],
      ...['--out', at('derived.json'), '--vtp', at('derived.vtp'), '--backend', 'cpu'],
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/RCA .* mm/);
    const doc = json<{ schema: string; vessels: { name: string }[]; derived: { method: string; edt: string } }>(
      'derived.json',
    );
    expect(doc.schema).toBe('perifat-vessels/1');
    expect(doc.vessels.map((v) => v.name).slice(0, 3)).toEqual(['RCA', 'LAD', 'LCx']);
    expect(doc.derived).toMatchObject({ method: 'mask', edt: 'cpu' });
    const fromJson = await readVesselsFile(await fileAt(at('derived.json')));
    const fromVtp = await readVesselsFile(await fileAt(at('derived.vtp')));
    expect(fromVtp.vessels.map((v) => v.name)).toEqual(fromJson.vessels.map((v) => v.name));
    fromVtp.vessels.forEach((v, i) => {
      expect(v.points).toEqual(fromJson.vessels[i]?.points);
      expect(v.radii).toEqual(fromJson.vessels[i]?.radii);
    });
  });

  it('refuses an empty mask, a mask on another grid and conflicting inputs with typed errors', async () => {
    const base = ['centerlines', '--ct', at('ct.nii.gz'), '--out', at('x.json'), '--backend', 'cpu'];
    const empty = await runCli([...base, '--coronary-mask', at('empty.nii.gz')]);
    expect(empty.code).toBe(3);
    expect(empty.err).toMatch(/E_CENTERLINE.*empty\.nii\.gz|empty\.nii\.gz.*E_CENTERLINE|E_CENTERLINE: .*empty/);
    const grid = await runCli([...base, '--coronary-mask', at('other-grid.nii.gz')]);
    expect(grid.err).toMatch(/E_MASK_GRID/);
    expect(grid.err).toMatch(/other-grid\.nii\.gz/);
    const both = await runCli([...base, '--coronary-mask', at('coronary.nii.gz'), '--trace', 'RCA:0,0,0;1,1,1']);
    expect(both.code).toBe(2);
  });
});

describe('perifat measure with derived centerlines', () => {
  it('--coronary-mask: derives, records in the report, and a rerun with --vessels report.json is identical', async () => {
    const r = await runCli([
      'measure',
      ...['--ct', at('ct.nii.gz'), '--coronary-mask', at('coronary.nii.gz'), '--aorta', at('aorta.nii.gz')],
      ...['--backend', 'cpu', '--out', at('r1.json'), '--quiet'],
    ]);
    expect(r.err).toBe('');
    const r1 = json<Report>('r1.json');
    expect(r1.centerlines?.derived).toBe(true);
    expect(r1.centerlines?.method).toBe('mask');
    expect(r1.centerlines?.ostia.map((o) => o.from)).toEqual(['aorta-mask', 'aorta-mask']);
    expect(r1.vessels.map((v) => v.name).slice(0, 3)).toEqual(['RCA', 'LAD', 'LCx']);
    const again = await runCli([
      'measure',
      ...['--ct', at('ct.nii.gz'), '--vessels', at('r1.json'), '--backend', 'cpu', '--out', at('r2.json'), '--quiet'],
    ]);
    expect(again.err).toBe('');
    const r2 = json<Report>('r2.json');
    expect(r2.centerlines).toBeUndefined();
    expect(r2.vessels).toEqual(r1.vessels);
  });

  it('--totalseg DIR: heart grown for the pericardium, centerlines from coronary_arteries, said in the report', async () => {
    const r = await runCli([
      'measure',
      ...['--ct', at('ct.nii.gz'), '--totalseg', at('totalseg'), '--backend', 'cpu', '--out', at('ts.json'), '--quiet'],
    ]);
    expect(r.err).toBe('');
    const rep = json<Report>('ts.json');
    expect(rep.eat).not.toBeNull();
    expect(rep.centerlines?.method).toBe('mask');
    expect(rep.warnings.join('\n')).toMatch(/heart\.nii\.gz grown by 5 mm/);
    expect(rep.warnings.join('\n')).toMatch(/coronary_arteries\.nii\.gz/);
    expect(rep.vessels.length).toBeGreaterThanOrEqual(3);
  });

  it('a case file with "coronaryMask" and a batch manifest with the coronaryMask column', async () => {
    writeFileSync(
      at('case.json'),
      JSON.stringify({
        schema: 'perifat-case/1',
        ct: 'ct.nii.gz',
        coronaryMask: 'coronary.nii.gz',
        aorta: 'aorta.nii.gz',
      }),
    );
    const c = await runCli([
      'measure',
      '--case',
      at('case.json'),
      '--backend',
      'cpu',
      '--out',
      at('c.json'),
      '--quiet',
    ]);
    expect(c.err).toBe('');
    const fromCase = json<Report>('c.json');
    expect(fromCase.vessels).toEqual(json<Report>('r1.json').vessels);
    writeFileSync(at('manifest.csv'), 'caseId,ct,coronaryMask,aorta\nph,ct.nii.gz,coronary.nii.gz,aorta.nii.gz\n');
    const b = await runCli(['batch', at('manifest.csv'), '--out', at('batch'), '--backend', 'cpu', '--quiet']);
    expect(b.code).toBe(0);
    const fromBatch = JSON.parse(readFileSync(join(dir, 'batch', 'reports', 'ph.json'), 'utf8')) as Report;
    expect(fromBatch.centerlines?.derived).toBe(true);
    expect(fromBatch.vessels).toEqual(fromCase.vessels);
  }, 120_000);
});
