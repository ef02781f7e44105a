/**
 * The `perifat` command in-process on the CPU backend: outputs, exit codes, and files that are
 * whole or absent when the input is bad.
 */
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabels } from '../../src/platform/node/load';
import { sameGrid } from '../../src/volume/geometry';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { reportDiff } from '../helpers/report-diff';
import { runCli } from '../helpers/run-cli';

let dir: string;
let files: Awaited<ReturnType<typeof writePhantom>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-cli-'));
  files = await writePhantom(
    makePhantom({ dims: [80, 80, 56], spacing: [0.5, 0.5, 0.8], kvp: 100 }),
    join(dir, 'case'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 4180 cells of one CSV line (quotes, doubled quotes). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      cells.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  cells.push(cur);
  return cells;
}

const run = runCli;

describe('perifat measure (cpu backend)', () => {
  it('writes a report equal to the phantom truth, a CSV row and the EAT mask', async () => {
    const out = join(dir, 'r.json');
    const csv = join(dir, 'r.csv');
    const masks = join(dir, 'masks');
    const r = await run([
      'measure',
      '--ct',
      files.ct,
      '--pericardium',
      files.pericardium,
      '--vessels',
      files.vessels,
      '--backend',
      'cpu',
      '--kvp',
      '100',
      '--out',
      out,
      '--csv',
      csv,
      '--masks-out',
      masks,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const truth = JSON.parse(readFileSync(files.expected, 'utf8')) as Report;
    expect(report.schema).toBe('perifat-report/1');
    expect(report.backend.api).toBe('cpu');
    expect(report.input.kvp).toBe(100);
    expect(reportDiff(report, truth)).toEqual([]);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const [header, row] = lines.map(csvCells);
    expect(header?.length).toBe(row?.length);
    expect(row?.[header?.indexOf('lad_fai_hu') ?? -1]).toBe(
      String(Math.round((truth.vessels[1]?.faiHu as number) * 1e6) / 1e6),
    );
    expect(existsSync(join(masks, 'eat.nii.gz'))).toBe(true);
    // The VOI labelmap holds exactly the voxels the report counted, on the CT grid.
    const voi = await loadLabels(join(masks, 'voi.nii.gz'));
    const ct = await loadLabels(files.pericardium);
    expect(sameGrid(voi, ct)).toBe(true);
    report.vessels.forEach((v, i) => expect(voi.labels.filter((l) => l === 1 + i).length).toBe(v.voiVoxels));
    const lesions = await loadLabels(join(masks, 'lesions.nii.gz'));
    expect(lesions.labels.filter((l) => l === 1).length).toBe(report.lesions[0]?.voiVoxels);
    expect(existsSync(join(masks, 'rings.nii.gz'))).toBe(true);
    const legend = JSON.parse(readFileSync(join(masks, 'labels.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(legend['voi.nii.gz']?.['2']).toContain('LAD');
    expect(r.out).toContain('EAT');
    expect(r.out).toContain('LAD');
  });

  it('--backend auto: the CPU backend without a GPU, and when the only WebGPU adapter is a software one', async () => {
    const vessels = ['--ct', files.ct, '--pericardium', files.pericardium, '--vessels', files.vessels, '--quiet'];
    const truth = JSON.parse(readFileSync(files.expected, 'utf8')) as Report;
    for (const [gpu, why] of [
      ['0', 'PERIFAT_GPU=0'],
      // Told there is a GPU, auto asks Chromium: on this machine its adapter is SwiftShader.
      ['1', 'software one'],
    ] as const) {
      process.env['PERIFAT_GPU'] = gpu;
      const out = join(dir, `auto${gpu}.json`);
      try {
        expect((await run(['measure', ...vessels, '--kvp', '100', '--out', out])).code).toBe(0);
      } finally {
        delete process.env['PERIFAT_GPU'];
      }
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      expect(report.backend.api).toBe('cpu');
      expect(report.backend.selection).toContain(why);
      expect(report.diagnostics?.pericoronary?.method).toBe('float64');
      expect(reportDiff(report, truth)).toEqual([]);
    }
  });

  it('names no patient: a neutral case id by default, the file name only with --keep-names', async () => {
    // A DICOM series in a folder named like a patient, with the name, ID and dates in its tags too.
    const series = join(dir, 'DOE^JANE_MRN12345');
    await writePhantom(makePhantom({ dims: [40, 40, 12], spacing: [0.8, 0.8, 1.5] }), join(dir, 'named'), {
      dicom: true,
    });
    cpSync(join(dir, 'named', 'dicom'), series, { recursive: true });
    const out = join(dir, 'r2.json');
    const csv = join(dir, 'r2.csv');
    const r = await run(['measure', '--ct', series, '--backend', 'cpu', '--out', out, '--csv', csv]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.input.ct).toMatch(/^case-[0-9a-f]{10}$/);
    expect(report.input.caseId).toBe(report.input.ct);
    for (const text of [readFileSync(out, 'utf8'), readFileSync(csv, 'utf8'), r.out, r.stderr]) {
      expect(text).not.toMatch(/DOE|JANE|MRN12345/);
    }
    // The progress lines (kept in Slurm and Kubernetes logs) name the case id, not the path.
    expect(r.stderr).toContain(`loading CT (case ${report.input.caseId})`);
    const named = join(dir, 'r3.json');
    expect(
      (await run(['measure', '--ct', series, '--backend', 'cpu', '--keep-names', '--out', named, '--quiet'])).code,
    ).toBe(0);
    expect((JSON.parse(readFileSync(named, 'utf8')) as Report).input.ct).toBe('DOE^JANE_MRN12345');
    const given = join(dir, 'r4.json');
    expect(
      (await run(['measure', '--ct', series, '--backend', 'cpu', '--case-id', 'study-07', '--out', given, '--quiet']))
        .code,
    ).toBe(0);
    expect((JSON.parse(readFileSync(given, 'utf8')) as Report).input.ct).toBe('study-07');
  });

  it('never writes an input: outputs that are inputs or each other are refused before reading', async () => {
    const before = readFileSync(files.ct);
    const link = join(dir, 'ct-hardlink.nii.gz');
    linkSync(files.ct, link);
    for (const args of [
      ['--out', files.ct],
      ['--csv', files.pericardium],
      ['--out', link],
      ['--out', join(dir, 'same.json'), '--csv', join(dir, 'same.json')],
      ['--masks-out', join(dir, 'case')],
    ]) {
      const r = await run([
        'measure',
        '--ct',
        files.ct,
        '--pericardium',
        files.pericardium,
        '--backend',
        'cpu',
        ...args,
      ]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^perifat: E_OPTIONS: /);
    }
    expect(Buffer.compare(readFileSync(files.ct), before)).toBe(0);
    expect(existsSync(join(dir, 'same.json'))).toBe(false);
  });

  it('one consistent output set: a bad masks folder writes nothing; a masks folder holds only this run', async () => {
    const out = join(dir, 'set.json');
    const notAFolder = join(dir, 'masks-file');
    writeFileSync(notAFolder, 'x');
    const r = await run([
      'measure',
      '--ct',
      files.ct,
      '--pericardium',
      files.pericardium,
      '--backend',
      'cpu',
      '--out',
      out,
      '--masks-out',
      notAFolder,
    ]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const masks = join(dir, 'masks-set');
    const withVessels = ['--vessels', files.vessels];
    for (const extra of [withVessels, []]) {
      const args = [
        'measure',
        '--ct',
        files.ct,
        '--pericardium',
        files.pericardium,
        ...extra,
        '--backend',
        'cpu',
        '--masks-out',
        masks,
        '--quiet',
      ];
      expect((await run(args)).code).toBe(0);
    }
    // The second run had no vessels: no voi/rings/labels.json of the first run are left.
    expect(readdirSync(masks).sort()).toEqual(['eat.nii.gz', 'perifat-masks.json']);
    // A folder perifat did not write is not emptied.
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect((await run(['measure', '--ct', files.ct, '--backend', 'cpu', '--masks-out', foreign, '--quiet'])).code).toBe(
      2,
    );
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    // A legal name at the file system's limit (255 bytes) is written: temporaries have short names.
    const long = join(dir, `${'r'.repeat(250)}.json`);
    expect((await run(['measure', '--ct', files.ct, '--backend', 'cpu', '--out', long, '--quiet'])).code).toBe(0);
    expect(existsSync(long)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 3 with one clear line for a missing CT, and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const r = await run(['measure', '--ct', join(dir, 'nope.nii.gz'), '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^perifat: E_INPUT_NOT_FOUND: .*nope\.nii\.gz/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 3 for a centerline outside the volume, naming the vessel', async () => {
    const bad = join(dir, 'far.json');
    writeFileSync(
      bad,
      JSON.stringify({
        schema: 'perifat-vessels/1',
        space: 'LPS',
        vessels: [
          {
            name: 'LAD',
            points: [
              [900, 900, 900],
              [901, 900, 900],
            ],
            radii: [1.5, 1.5],
          },
        ],
      }),
    );
    const out = join(dir, 'never2.json');
    const r = await run(['measure', '--ct', files.ct, '--vessels', bad, '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('E_CENTERLINE');
    expect(r.err).toContain('LAD');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['measure'])).code).toBe(2);
    expect((await run(['measure', '--ct', files.ct, '--backend', 'cuda'])).code).toBe(2);
    expect((await run(['measure', '--ct', files.ct, '--no-such-flag'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
