/**
 * Outputs are written only as regular files: a target that is a directory or a FIFO is refused with
 * E_OUTPUT naming it (never replaced by a file), a path through a regular file is E_OUTPUT naming
 * the file, a symbolic link's target is replaced and the link kept (and said), `--out -` writes the
 * report to standard output.
 */
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom/generate';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { runCli } from '../helpers/run-cli';

let dir: string;
let measure: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-outputs-'));
  await writePhantom(makePhantom({ dims: [48, 48, 32], spacing: [0.8, 0.8, 1.2] }), join(dir, 'ph'));
  measure = ['measure', '--ct', join(dir, 'ph', 'ct.nii.gz'), '--vessels', join(dir, 'ph', 'vessels.json')];
  measure.push('--backend', 'cpu', '--quiet');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outputs are regular files', () => {
  it('a FIFO or a directory as --out: E_OUTPUT naming it, and it stays what it was', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await runCli([...measure, '--out', fifo]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/E_OUTPUT.*pipe.*FIFO|E_OUTPUT.*FIFO.*pipe/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const d = await runCli([...measure, '--csv', folder]);
    expect(d.code).toBe(5);
    expect(d.err).toMatch(/E_OUTPUT.*folder.*directory|E_OUTPUT.*directory.*folder/);
    expect(lstatSync(folder).isDirectory()).toBe(true);
  });

  it('a path through a regular file: E_OUTPUT naming it, exit 5', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    const r = await runCli([...measure, '--out', join(dir, 'afile', 'r.json')]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/E_OUTPUT: .*afile/);
  });

  it('a 300-byte file name: E_OUTPUT naming it, exit 5, nothing written', async () => {
    const long = join(dir, `${'n'.repeat(300)}.json`);
    const r = await runCli([...measure, '--out', long]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/^perifat: E_OUTPUT: \S*n{300}\.json: could not write: ENAMETOOLONG/m);
  });

  it('a symbolic link: its target is replaced, the link kept, and the user told', async () => {
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', '1.json'), 'old');
    symlinkSync(join('runs', '1.json'), join(dir, 'latest.json'));
    const r = await runCli([...measure, '--out', join(dir, 'latest.json')]);
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'latest.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'latest.json'))).toBe(join('runs', '1.json'));
    expect((JSON.parse(readFileSync(join(dir, 'runs', '1.json'), 'utf8')) as Report).schema).toBe('perifat-report/1');
    expect(r.stderr).toMatch(/latest\.json is a symbolic link: writing its target .*runs\/1\.json/);
  });

  it('--out - writes the report to standard output', async () => {
    const chunks: string[] = [];
    const w = vi.spyOn(process.stdout, 'write').mockImplementation((c: unknown) => {
      chunks.push(String(c));
      return true;
    });
    try {
      const r = await runCli([...measure, '--out', '-']);
      expect(r.code).toBe(0);
    } finally {
      w.mockRestore();
    }
    expect((JSON.parse(chunks.join('')) as Report).schema).toBe('perifat-report/1');
  });
});
