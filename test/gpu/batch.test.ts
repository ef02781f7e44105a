/**
 * `perifat batch --backend webgpu`: one headless Chromium serves every case, its reports equal the
 * CPU backend's, a bad case is recorded and the batch goes on; a session whose browser dies is
 * restarted and the case retried; the browser's memory stays flat from case to case.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import type { Report } from '../../src/measure/report-types';
import { MeasureSession } from '../../src/platform/node/session';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { loadCt, loadLabels, loadVessels } from '../../src/platform/node/load';
import { processTreeRssMb } from '../../src/platform/node/process-memory';
import { ChromiumRunner } from '../../src/platform/node/chromium';
import { measureInChromium } from '../../src/platform/node/measure-chromium';
import { reportDiff } from '../helpers/report-diff';

let dir: string;
let manifest: string;
const GOOD = ['a', 'b', 'c', 'd'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-gpu-batch-'));
  const rows = ['caseId,ct,pericardium,vessels'];
  for (const [i, id] of GOOD.entries()) {
    await writePhantom(
      makePhantom({ dims: [60, 60, 44], spacing: [0.7, 0.7, 0.9], seed: i + 11, noiseSd: 8, kvp: 120 }),
      join(dir, id),
    );
    rows.push(`${id},${id}/ct.nii.gz,${id}/pericardium.nii.gz,${id}/vessels.json`);
  }
  rows.push('broken,a/vessels.json,,');
  manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `${rows.join('\n')}\n`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('perifat batch on WebGPU', () => {
  it('measures every case in one browser, equal to the CPU backend, past a bad case', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    let gpuCode: number;
    let cpuCode: number;
    try {
      gpuCode = await main(['batch', manifest, '--out', join(dir, 'gpu'), '--backend', 'webgpu']);
      cpuCode = await main(['batch', manifest, '--out', join(dir, 'cpu'), '--backend', 'cpu']);
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
    expect([gpuCode, cpuCode]).toEqual([0, 0]);
    expect(lines.filter((l) => l.includes('starting headless Chromium'))).toHaveLength(1);
    for (const id of GOOD) {
      const g = JSON.parse(readFileSync(join(dir, 'gpu', 'reports', `${id}.json`), 'utf8')) as Report;
      const c = JSON.parse(readFileSync(join(dir, 'cpu', 'reports', `${id}.json`), 'utf8')) as Report;
      expect(g.backend.api).toBe('webgpu');
      expect(reportDiff(g, c, 1e-9)).toEqual([]);
    }
    const failures = readFileSync(join(dir, 'gpu', 'failures.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(failures.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['broken,E_INPUT_FORMAT']);
  }, 300_000);

  it('restarts a browser that died and measures the case again', async () => {
    const ct = await loadCt(join(dir, 'b', 'ct.nii.gz'));
    const input = {
      ct,
      pericardium: await loadLabels(join(dir, 'b', 'pericardium.nii.gz'), { onto: ct }),
      vessels: await loadVessels(join(dir, 'b', 'vessels.json'), { ct }),
    };
    const logs: string[] = [];
    const session = await MeasureSession.open({ backend: 'webgpu', log: (m) => logs.push(m) });
    try {
      const first = await session.measure(input, {});
      // The browser is killed between cases, as a crash or the OOM killer would.
      const inner = session as unknown as {
        runner: {
          browser: { process(): { kill(s: string): void } | null };
          profileDir: string;
          socketDir: string | null;
        };
      };
      const { profileDir, socketDir } = inner.runner;
      expect(socketDir).toMatch(/org\.chromium\.Chromium\./);
      inner.runner.browser.process()?.kill('SIGKILL');
      const second = await session.measure(input, {});
      expect(second.report.backend.api).toBe('webgpu');
      expect(reportDiff(second.report, first.report, 1e-9)).toEqual([]);
      expect(logs.some((l) => /restarting Chromium and retrying/.test(l))).toBe(true);
      // The killed browser's profile and its socket folder in the temporary directory are gone.
      expect(existsSync(profileDir)).toBe(false);
      expect(existsSync(socketDir as string)).toBe(false);
    } finally {
      await session.close();
    }
  }, 300_000);

  it('keeps the browser flat: no case leaves its input behind in the page', async () => {
    // 1 M voxels: 3 MB of CT and labels fetched per case; DevTools' network log once kept them all.
    const phantom = makePhantom({ dims: [112, 112, 80], spacing: [0.45, 0.45, 0.7], seed: 5 });
    const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
    const runner = await ChromiumRunner.start();
    try {
      const page = (runner as unknown as { page: { createCDPSession(): Promise<CdpSession> } }).page;
      // After a full collection, what the browser holds: garbage is not growth.
      const settled = async (): Promise<number> => {
        const cdp = await page.createCDPSession();
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.detach();
        return processTreeRssMb(runner.browserPid) ?? 0;
      };
      for (let i = 0; i < 3; i++) await measureInChromium(runner, input);
      const base = await settled();
      for (let i = 0; i < 10; i++) await measureInChromium(runner, input);
      const after = await settled();
      expect(after - base).toBeLessThan(20); // a kept input: +30 MB
    } finally {
      await runner.close();
    }
  }, 300_000);
});

interface CdpSession {
  send(method: 'HeapProfiler.collectGarbage'): Promise<unknown>;
  detach(): Promise<void>;
}
