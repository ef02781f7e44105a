/**
 * `perifat batch` and `perifat merge` on the CPU backend: 50 phantom cases of which 3 are broken end
 * as 47 reports equal to `perifat measure`, 3 recorded failures and exit 0; a rerun measures
 * nothing; a changed input is measured again; 4 shard processes merge to the single run's tables;
 * memory stays flat over the run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShard, readManifest, shardOf } from '../../src/batch/manifest';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { PERIFAT_VERSION } from '../../src/version';
import { reportDiff } from '../helpers/report-diff';
import { runCli } from '../helpers/run-cli';

const run = promisify(execFile);
const CASES = 50;
const BROKEN = ['b-missing', 'b-not-nifti', 'b-bad-vessels'];
let dir: string;
let manifest: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-batch-'));
  // Five distinct phantoms (noise seeds, kVp) shared by the 47 good rows; three broken rows.
  const rows = ['caseId,ct,pericardium,vessels,kvp'];
  for (let p = 0; p < 5; p++) {
    await writePhantom(
      makePhantom({ dims: [56, 56, 40], spacing: [0.7, 0.7, 1], seed: p + 1, noiseSd: 6, kvp: p === 4 ? 100 : 120 }),
      join(dir, `p${p}`),
    );
  }
  for (let i = 0; i < CASES - BROKEN.length; i++) {
    const p = i % 5;
    rows.push(`case-${String(i).padStart(3, '0')},p${p}/ct.nii.gz,p${p}/pericardium.nii.gz,p${p}/vessels.json,`);
  }
  writeFileSync(join(dir, 'not-a-ct.nii.gz'), 'this is not a NIfTI file');
  writeFileSync(join(dir, 'bad-vessels.json'), '{"schema": "perifat-vessels/1", "vessels": [{"name": 3}]}');
  rows.push('b-missing,gone/ct.nii.gz,,,');
  rows.push('b-not-nifti,not-a-ct.nii.gz,,,');
  rows.push('b-bad-vessels,p0/ct.nii.gz,p0/pericardium.nii.gz,bad-vessels.json,');
  manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `${rows.join('\n')}\n`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logLines = (out: string) =>
  readFileSync(join(out, 'batch-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { caseId: string; ok: boolean; heapMb: number });

it('names the version package.json has', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(PERIFAT_VERSION).toBe(pkg.version);
});

describe('the manifest', () => {
  it('reads CSV and JSON lines, resolves paths against the manifest, refuses bad rows by line', () => {
    const cases = readManifest(manifest);
    expect(cases).toHaveLength(CASES);
    expect(cases[0]?.ct).toBe(join(dir, 'p0', 'ct.nii.gz'));
    const jsonl = join(dir, 'm.jsonl');
    writeFileSync(jsonl, '{"caseId":"a","ct":"p0/ct.nii.gz","kvp":100}\n\n{"caseId":"b","case":"x.json"}\n');
    expect(readManifest(jsonl)).toEqual([
      { caseId: 'a', ct: join(dir, 'p0', 'ct.nii.gz'), kvp: 100 },
      { caseId: 'b', caseFile: join(dir, 'x.json') },
    ]);
    const bad = join(dir, 'bad.csv');
    for (const [text, why] of [
      ['caseId,ct\na,x\na,y\n', /line 3: caseId a appears twice/],
      ['caseId,ct\n../up,x\n', /line 2: caseId must be/],
      ['caseId,ct,kvp\na,x,999\n', /line 2: kvp must be/],
      ['ct\nx\n', /no "caseId" column/],
    ] as const) {
      writeFileSync(bad, text);
      expect(() => readManifest(bad)).toThrow(why);
    }
  });

  it('shards by a stable hash: every case in exactly one shard, unmoved by other cases', () => {
    const ids = readManifest(manifest).map((c) => c.caseId);
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[shardOf(id, 4)]! += 1;
    expect(counts.reduce((a, b) => a + b)).toBe(ids.length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(shardOf('case-007', 4)).toBe(shardOf('case-007', 4));
    expect(parseShard('3/4')).toEqual({ k: 3, n: 4 });
    expect(() => parseShard('4/4')).toThrow(/0 ≤ K < N/);
  });
});

describe('perifat batch', () => {
  let out: string;
  beforeAll(() => {
    out = join(dir, 'out');
  });

  it('measures 47 cases, records 3 failures with their codes, and exits 0', async () => {
    const code = await runCli(['batch', manifest, '--out', out, '--backend', 'cpu']).then((r) => r.code);
    expect(code).toBe(0);
    const reports = readdirSync(join(out, 'reports')).filter((n) => n.endsWith('.json'));
    expect(reports).toHaveLength(CASES - BROKEN.length);
    const failures = readFileSync(join(out, 'failures.csv'), 'utf8').trim().split('\n');
    expect(failures[0]).toBe('caseId,code,message,file');
    const byId = new Map(failures.slice(1).map((l) => [l.split(',')[0], l.split(',')[1]]));
    expect(byId).toEqual(
      new Map([
        ['b-bad-vessels', 'E_CENTERLINE'],
        ['b-missing', 'E_INPUT_NOT_FOUND'],
        ['b-not-nifti', 'E_INPUT_FORMAT'],
      ]),
    );
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + CASES - BROKEN.length);
    expect(csv[0]?.startsWith('case_id,')).toBe(true);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(
      Array.from({ length: CASES - BROKEN.length }, (_, i) => `case-${String(i).padStart(3, '0')}`),
    );
    const batch = JSON.parse(readFileSync(join(out, 'batch.json'), 'utf8')) as { perifat: string; cases: string[] };
    expect(batch.perifat).toBe(PERIFAT_VERSION);
    expect(batch.cases).toHaveLength(CASES);
  }, 240_000);

  it('writes for each case the report `perifat measure` writes for it', async () => {
    for (const i of [0, 4, 46]) {
      const id = `case-${String(i).padStart(3, '0')}`;
      const p = join(dir, `p${i % 5}`);
      const single = join(dir, `single-${id}.json`);
      const args = ['measure', '--ct', join(p, 'ct.nii.gz'), '--pericardium', join(p, 'pericardium.nii.gz')];
      args.push('--vessels', join(p, 'vessels.json'), '--backend', 'cpu', '--out', single, '--case-id', id);
      expect((await runCli(args)).code).toBe(0);
      const a = JSON.parse(readFileSync(join(out, 'reports', `${id}.json`), 'utf8')) as Report;
      const b = JSON.parse(readFileSync(single, 'utf8')) as Report;
      expect(reportDiff(a, b, 0)).toEqual([]);
      expect(a.input.caseId).toBe(id);
      expect(a.input.ct).toBe(id); // no file names in a report
      expect(a.input.fingerprint?.files).toBe(3);
    }
  }, 120_000);

  it('measures nothing on a rerun, and only the case whose input changed', async () => {
    const before = logLines(out).length;
    expect(await runCli(['batch', manifest, '--out', out, '--backend', 'cpu']).then((r) => r.code)).toBe(0);
    expect(logLines(out).length).toBe(before);
    // p3's CT is newer: the cases reading it (every fifth) are measured again, nothing else.
    const t = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'p3', 'ct.nii.gz'), t, t);
    expect(await runCli(['batch', manifest, '--out', out, '--backend', 'cpu']).then((r) => r.code)).toBe(0);
    const redone = logLines(out).slice(before);
    expect(redone.map((l) => l.caseId)).toEqual(
      Array.from({ length: 47 }, (_, i) => i)
        .filter((i) => i % 5 === 3)
        .map((i) => `case-${String(i).padStart(3, '0')}`),
    );
    expect(redone.every((l) => l.ok)).toBe(true);
    // --retry-failed retries the input failures; --force everything.
    const n = logLines(out).length;
    expect(
      await runCli(['batch', manifest, '--out', out, '--backend', 'cpu', '--retry-failed']).then((r) => r.code),
    ).toBe(0);
    expect(
      logLines(out)
        .slice(n)
        .map((l) => l.caseId)
        .sort(),
    ).toEqual([...BROKEN].sort());
  }, 240_000);

  it('keeps memory flat: no heap growth from case to case', () => {
    const heap = logLines(out)
      .slice(0, CASES)
      .map((l) => l.heapMb);
    const early = Math.max(...heap.slice(5, 15));
    const late = Math.max(...heap.slice(-10));
    // A leaked input per case would add its ~0.3 MB CT and labels 35 times over (and more on GPU).
    expect(late - early).toBeLessThan(40);
  });

  it('splits over 4 processes by --shard, and merge gives exactly the single run tables', async () => {
    const shards = [0, 1, 2, 3].map((k) => join(dir, `shard${k}`));
    await Promise.all(
      shards.map((s, k) =>
        run(process.execPath, [
          'bin/perifat.mjs',
          'batch',
          manifest,
          '--out',
          s,
          '--shard',
          `${k}/4`,
          '--backend',
          'cpu',
          '--quiet',
        ]),
      ),
    );
    const merged = join(dir, 'merged');
    expect(await runCli(['merge', '--out', merged, ...shards]).then((r) => r.code)).toBe(0);
    const single = join(dir, 'out');
    expect(readFileSync(join(merged, 'results.csv'), 'utf8')).toBe(readFileSync(join(single, 'results.csv'), 'utf8'));
    expect(readFileSync(join(merged, 'failures.csv'), 'utf8')).toBe(readFileSync(join(single, 'failures.csv'), 'utf8'));
    const summary = JSON.parse(readFileSync(join(merged, 'merge.json'), 'utf8')) as {
      cases: number;
      missing: string[];
      duplicated: string[];
      absentShards: number[];
    };
    expect(summary).toMatchObject({ cases: CASES, missing: [], duplicated: [], absentShards: [] });

    // Without shard 2, its cases are named missing and the shard absent.
    const partial = join(dir, 'partial');
    expect((await runCli(['merge', '--out', partial, shards[0]!, shards[1]!, shards[3]!])).code).toBe(0);
    const p = JSON.parse(readFileSync(join(partial, 'merge.json'), 'utf8')) as typeof summary;
    expect(p.absentShards).toEqual([2]);
    expect(p.cases).toBe(CASES); // from the manifest the shards name
    expect(p.missing).toEqual(
      readManifest(manifest)
        .map((c) => c.caseId)
        .filter((id) => shardOf(id, 4) === 2)
        .sort(),
    );
  }, 240_000);

  it('runs the shipped Slurm and Kubernetes shard scripts to the same tables', async () => {
    const root = join(dir, 'cluster');
    const env = { ...process.env, MANIFEST: manifest, OUT: root, PERIFAT: `${process.execPath} bin/perifat.mjs` };
    // Shard 0 as a Slurm array task, shard 1 as a Kubernetes Indexed Job pod.
    await Promise.all([
      run('bash', ['examples/cluster/slurm-batch.sh', '--backend', 'cpu', '--quiet'], {
        env: { ...env, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2', SLURM_SUBMIT_DIR: process.cwd() },
      }),
      run('bash', ['examples/cluster/run-shard.sh', '--backend', 'cpu', '--quiet'], {
        env: { ...env, JOB_COMPLETION_INDEX: '1', SHARDS: '2' },
      }),
    ]);
    const merged = join(dir, 'cluster-merged');
    expect(
      await runCli(['merge', '--out', merged, join(root, 'shard-0'), join(root, 'shard-1')]).then((r) => r.code),
    ).toBe(0);
    expect(readFileSync(join(merged, 'results.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'out', 'results.csv'), 'utf8'),
    );
    await expect(run('bash', ['examples/cluster/run-shard.sh'], { env: { ...env, SHARDS: '2' } })).rejects.toThrow(
      /no shard index/,
    );
  }, 240_000);

  it('refuses a folder that is no batch, and usage errors, with their codes', async () => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(await runCli(['merge', '--out', join(dir, 'm2'), join(dir, 'empty')]).then((r) => r.code)).toBe(3);
    expect(await runCli(['batch', manifest]).then((r) => r.code)).toBe(2);
    expect(await runCli(['batch', manifest, '--out', out, '--shard', '5/4']).then((r) => r.code)).toBe(2);
    expect(await runCli(['batch', manifest, '--out', out, '--jobs', '0']).then((r) => r.code)).toBe(2);
  });
});
