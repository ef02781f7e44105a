/**
 * Clean exits of the real command (a child process): SIGTERM and SIGINT during a WebGPU run close
 * the browser, leave no profile or temporary output, and end in E_INTERRUPTED with 143 / 130; a
 * SIGKILLed perifat takes its browser with it (DevTools runs over a pipe that closes with it); a
 * batch stopped by SIGTERM (a preempted Slurm task) keeps its finished cases and resumes after them.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { sweepStaleProfiles } from '../../src/platform/node/chromium';

const ROOT = resolve(import.meta.dirname, '..', '..');
let dir: string;
let files: Awaited<ReturnType<typeof writePhantom>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-signals-'));
  files = await writePhantom(
    makePhantom({ dims: [128, 128, 96], spacing: [0.5, 0.5, 0.7], tree: {} }),
    join(dir, 'case'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Chromium processes started with the profile of perifat process `pid` (other perifat runs aside). */
function perifatBrowsers(pid: number | undefined): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(`perifat-chromium-${pid}-`) && !l.includes(' ps '));
}

function startMeasure(out: string): { child: ChildProcess; stderr: () => string; started: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['bin/perifat.mjs', 'measure', '--ct', files.ct, '--vessels', files.vessels, '--backend', 'webgpu', '--out', out],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  const started = new Promise<void>((ok, fail) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('measuring on WebGPU')) ok();
    });
    child.once('exit', () => fail(new Error(`exited before measuring: ${err}`)));
  });
  return { child, stderr: () => err, started };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((ok) => child.once('exit', (code) => ok(code)));

describe('clean exits', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} during a WebGPU run: browser closed, nothing left, E_INTERRUPTED ${code}`, async () => {
      const out = join(dir, `${signal}.json`);
      const run = startMeasure(out);
      const profile = `perifat-chromium-${run.child.pid}-`;
      await run.started;
      run.child.kill(signal);
      expect(await exited(run.child)).toBe(code);
      expect(run.stderr()).toContain('E_INTERRUPTED');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(perifatBrowsers(run.child.pid)).toEqual([]);
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(profile))).toEqual([]);
    }, 120_000);
  }

  it('SIGKILL of perifat: its browser goes too, and the next run removes the profile it left', async () => {
    const run = startMeasure(join(dir, 'killed.json'));
    await run.started;
    const browsers = perifatBrowsers(run.child.pid);
    expect(browsers.length).toBeGreaterThan(0);
    // DevTools over a pipe: no TCP port a local process could attach to.
    expect(browsers.some((l) => l.includes('--remote-debugging-pipe'))).toBe(true);
    expect(browsers.some((l) => l.includes('--remote-debugging-port'))).toBe(false);
    const profile = `perifat-chromium-${run.child.pid}-`;
    run.child.kill('SIGKILL');
    await exited(run.child);
    let left = perifatBrowsers(run.child.pid);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = perifatBrowsers(run.child.pid);
    }
    expect(left).toEqual([]);
    expect(readdirSync(tmpdir()).some((n) => n.startsWith(profile))).toBe(true);
    sweepStaleProfiles();
    expect(readdirSync(tmpdir()).some((n) => n.startsWith(profile))).toBe(false);
  }, 120_000);

  it('SIGTERM during a batch: finished cases kept, nothing half-written, the rerun does the rest', async () => {
    const manifest = join(dir, 'batch.csv');
    const ids = ['s1', 's2', 's3', 's4', 's5', 's6'];
    writeFileSync(manifest, `caseId,ct,vessels\n${ids.map((id) => `${id},${files.ct},${files.vessels}`).join('\n')}\n`);
    const out = join(dir, 'batch-out');
    const args = ['bin/perifat.mjs', 'batch', manifest, '--out', out, '--backend', 'cpu'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((ok, fail) => {
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('[2/6]')) ok();
      });
      child.once('exit', () => fail(new Error(`exited early: ${err}`)));
    });
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    const done = readdirSync(join(out, 'reports')).filter((n) => n.endsWith('.json'));
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(ids.length);
    const leftovers = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? leftovers(join(d, e.name)) : e.name.endsWith('.tmp') ? [e.name] : [],
      );
    expect(leftovers(out)).toEqual([]);
    expect(readdirSync(join(out, 'failures'))).toEqual([]); // an interrupted case is no failure
    // The rerun measures exactly the cases that were not finished.
    const rerun = spawn(process.execPath, [...args, '--quiet'], { cwd: ROOT, stdio: 'ignore' });
    expect(await exited(rerun)).toBe(0);
    const log = readFileSync(join(out, 'batch-log.jsonl'), 'utf8').trim().split('\n');
    const measured = log.map((l) => (JSON.parse(l) as { caseId: string }).caseId);
    expect(measured.sort()).toEqual(ids);
  }, 180_000);
});
