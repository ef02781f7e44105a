/**
 * Batch reruns never destroy results: a rerun that cannot read its inputs (an unmounted share) or
 * times out keeps every good report, marks its row stale and records why; one process per --out
 * (a second one is refused naming the holder, a dead holder's lock is taken over); a folder holds
 * one shard; --out inside an input folder is refused; merge gathers the shards' reports.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/batch/lock';
import { shardOf } from '../../src/batch/manifest';
import { parseCsv } from '../../src/io/csv-table';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { runCli } from '../helpers/run-cli';

const IDS = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
let dir: string;
let manifest: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-reruns-'));
  mkdirSync(join(dir, 'share'));
  await writePhantom(
    makePhantom({ dims: [48, 48, 32], spacing: [0.8, 0.8, 1], seed: 3, noiseSd: 5 }),
    join(dir, 'share', 'p'),
  );
  const rows = [
    'caseId,ct,pericardium,vessels',
    ...IDS.map((id) => `${id},share/p/ct.nii.gz,share/p/pericardium.nii.gz,share/p/vessels.json`),
  ];
  manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `${rows.join('\n')}\n`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const table = (out: string) =>
  parseCsv(readFileSync(join(out, 'results.csv'), 'utf8'), 'results.csv').rows.map((r) => r.cells);
const batch = (out: string, ...extra: string[]) =>
  runCli(['batch', manifest, '--out', out, '--backend', 'cpu', '--quiet', ...extra]);

describe('a rerun after a transient fault', () => {
  const out = () => join(dir, 'out');
  it('keeps every good report when the data share is gone, marks the rows stale, and recovers', async () => {
    expect((await batch(out())).code).toBe(0);
    const good = IDS.map((id) => readFileSync(join(out(), 'reports', `${id}.json`), 'utf8'));
    expect(table(out()).map((r) => r.stale)).toEqual(IDS.map(() => '0'));

    renameSync(join(dir, 'share'), join(dir, 'share-unmounted'));
    try {
      expect((await batch(out())).code).toBe(0);
    } finally {
      renameSync(join(dir, 'share-unmounted'), join(dir, 'share'));
    }
    expect(IDS.map((id) => readFileSync(join(out(), 'reports', `${id}.json`), 'utf8'))).toEqual(good);
    const rows = table(out());
    expect(rows.map((r) => [r.case_id, r.stale])).toEqual(IDS.map((id) => [id, '1']));
    const failures = readFileSync(join(out(), 'failures.csv'), 'utf8').trim().split('\n').slice(1);
    expect(failures.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(IDS.map((id) => `${id},E_INPUT_NOT_FOUND`));

    // The share is back unchanged: the reports are current again, nothing is measured, nothing stale.
    expect((await batch(out())).code).toBe(0);
    expect(table(out()).map((r) => r.stale)).toEqual(IDS.map(() => '0'));
    expect(readdirSync(join(out(), 'failures'))).toEqual([]);
  }, 180_000);

  it('keeps the report when a forced rerun times out', async () => {
    const before = readFileSync(join(out(), 'reports', 'r-0.json'), 'utf8');
    expect((await batch(out(), '--force', '--case-timeout', '0.001')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out(), 'reports', 'r-0.json'), 'utf8'))).toEqual(JSON.parse(before));
    expect(table(out()).find((r) => r.case_id === 'r-0')?.stale).toBe('1');
    const failure = JSON.parse(readFileSync(join(out(), 'failures', 'r-0.json'), 'utf8')) as { code: string };
    expect(failure.code).toBe('E_TIMEOUT');
  }, 180_000);
});

describe('one process per output folder', () => {
  it('refuses a second batch while a live process holds the folder, naming it', async () => {
    const out = join(dir, 'locked');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00Z', shard: '0/2' }),
    );
    const r = await batch(out);
    expect(r.code).toBe(5);
    expect(r.err).toContain(`process ${process.pid} on ${hostname()}`);
    expect(r.err).toContain('shard 0/2');
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  });

  it('takes over the lock of a process that is gone, and says so', async () => {
    const out = join(dir, 'stale-lock');
    mkdirSync(out, { recursive: true });
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((ok) => gone.on('exit', ok));
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: hostname(), started: 'x', shard: null }));
    const r = await runCli(['batch', manifest, '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`taking over the lock of process ${gone.pid}`);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    expect(table(out)).toHaveLength(IDS.length);
  }, 120_000);

  it('refuses a real second process on the same folder, and another shard afterwards', async () => {
    const out = join(dir, 'two');
    const child = spawn(
      process.execPath,
      ['bin/perifat.mjs', 'batch', manifest, '--out', out, '--backend', 'cpu', '--quiet', '--shard', '0/2'],
      { cwd: join(__dirname, '..', '..'), stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((ok) => child.on('exit', ok));
    // Wait until the first process holds the folder (or, on a very fast machine, has finished).
    const t0 = Date.now();
    while (!existsSync(join(out, LOCK_FILE)) && !existsSync(join(out, 'results.csv')) && Date.now() - t0 < 60_000) {
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const second = await batch(out, '--shard', '1/2');
    expect(await exited).toBe(0);
    // Refused either way: by the lock while the first runs, by the folder's shard once it is done.
    expect([5, 2]).toContain(second.code);
    expect(second.err).toMatch(/another perifat batch is writing this folder|holds shard 0\/2, not shard 1\/2/);
    const later = await batch(out, '--shard', '1/2');
    expect(later.code).toBe(2);
    expect(later.err).toContain('give each shard its own --out');
    const record = JSON.parse(readFileSync(join(out, 'batch.json'), 'utf8')) as { shard: { k: number } };
    expect(record.shard.k).toBe(0);
    expect(table(out).map((r) => r.case_id)).toEqual(IDS.filter((id) => shardOf(id, 2) === 0));
  }, 180_000);
});

describe('folders', () => {
  it('refuses --out inside an input folder (a DICOM series folder)', async () => {
    const series = join(dir, 'series');
    mkdirSync(series, { recursive: true });
    const m = join(dir, 'dicom-manifest.csv');
    writeFileSync(m, 'caseId,ct\nd-0,series\n');
    const r = await runCli(['batch', m, '--out', join(series, 'out'), '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('inside the input folder');
    expect(existsSync(join(series, 'out'))).toBe(false);
  });

  it('merge gathers the shards’ reports beside the tables', async () => {
    const shards = [0, 1].map((k) => join(dir, `shard${k}`));
    for (const [k, s] of shards.entries()) expect((await batch(s, '--shard', `${k}/2`)).code).toBe(0);
    const merged = join(dir, 'merged');
    expect((await runCli(['merge', '--out', merged, ...shards, '--quiet'])).code).toBe(0);
    expect(readdirSync(join(merged, 'reports')).sort()).toEqual(IDS.map((id) => `${id}.json`));
    for (const id of IDS) {
      const from = shards.find((s) => existsSync(join(s, 'reports', `${id}.json`))) as string;
      expect(JSON.parse(readFileSync(join(merged, 'reports', `${id}.json`), 'utf8'))).toEqual(
        JSON.parse(readFileSync(join(from, 'reports', `${id}.json`), 'utf8')),
      );
    }
    // Merging again into the same folder is allowed; a merge into one of the shards is not.
    expect((await runCli(['merge', '--out', merged, ...shards, '--quiet'])).code).toBe(0);
    expect((await runCli(['merge', '--out', shards[0]!, ...shards, '--quiet'])).code).toBe(2);
  }, 180_000);
});
