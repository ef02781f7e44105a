/**
 * `perifat bench`: stage statistics, the perifat-bench/1 document from a real (small) run on WebGPU
 * and the CPU backend, and `--compare`, which refuses documents that do not match.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_SCHEMA, type BenchDoc, compareDocs, stageStats, summarizeRuns } from '../../src/cli/bench-json';
import { runCli } from '../helpers/run-cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-bench-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const captured = runCli;

describe('stage statistics', () => {
  it('median and nearest-rank p95', () => {
    expect(stageStats([5, 1, 3])).toEqual({ medianMs: 3, p95Ms: 5, runs: 3 });
    expect(stageStats([4, 1, 3, 2])).toEqual({ medianMs: 2.5, p95Ms: 4, runs: 4 });
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(stageStats(xs).p95Ms).toBe(95);
    expect(summarizeRuns([{ a: 1, b: 2 }, { a: 3 }])).toEqual({
      a: { medianMs: 2, p95Ms: 3, runs: 2 },
      b: { medianMs: 2, p95Ms: 2, runs: 1 },
    });
  });
});

type Volume = BenchDoc['volumes'][0];

describe('perifat bench', () => {
  it('writes perifat-bench/1 with both backends, the slab path, a forced shell_nearest kernel and the adapter', async () => {
    const out = join(dir, 'a.json');
    const volumes = '64x64x48,slab:64x64x64,packet:64x64x48,voxel:64x64x48';
    const args = ['bench', '--volumes', volumes, '--no-cases', '--warmup', '0', '--repeats', '2'];
    const { code, out: table } = await captured([...args, '--out', out]);
    expect(code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as BenchDoc;
    expect(doc.schema).toBe(BENCH_SCHEMA);
    expect(doc.webgpu?.runtime).toBe('chromium');
    expect(typeof doc.webgpu?.softwareAdapter).toBe('boolean');
    expect(doc.webgpu?.browser).toMatch(/\d+\.\d+/);
    expect(doc.volumes.map((v) => v.dims)).toEqual([
      [64, 64, 48],
      [64, 64, 64],
      [64, 64, 48],
      [64, 64, 48],
    ]);
    const [plain, slab, packet, voxel] = doc.volumes as [Volume, Volume, Volume, Volume];
    // Each shell_nearest kernel when forced, the adapter's otherwise; both evaluate the same segments.
    expect(packet.name).toBe('phantom 64x64x48 (shell_nearest four voxels per invocation)');
    expect(packet.pericoronary?.nearestKernel).toBe('packet');
    expect(voxel.pericoronary?.nearestKernel).toBe('voxel');
    expect(['packet', 'voxel']).toContain(plain.pericoronary?.nearestKernel);
    expect(packet.work?.webgpu?.f32Evaluations).toBe(plain.work?.webgpu?.f32Evaluations);
    expect(voxel.work?.webgpu?.f32Evaluations).toBe(plain.work?.webgpu?.f32Evaluations);
    expect(plain.maxBindingBytes).toBeNull();
    expect(slab.maxBindingBytes).toBeLessThan(64 * 64 * 64 * 2); // the CT cannot be bound whole
    // The pericoronary crop is cut too, under the same cap.
    expect(plain.pericoronary?.slabs).toBe(1);
    expect(slab.pericoronary?.slabs).toBeGreaterThan(1);
    expect(slab.pericoronary?.cropVoxels).toBeGreaterThan(0);
    for (const v of doc.volumes) {
      expect(v.load?.runs).toBe(2);
      for (const b of ['webgpu', 'cpu'] as const) {
        const r = v.results[b];
        expect(r?.stages['total']?.runs).toBe(2);
        expect(r?.stages['total']?.medianMs).toBeGreaterThan(0);
        expect(r?.fatStatsGBs).toBeGreaterThan(0);
      }
      expect(v.results.webgpu?.stages['transfer']).toBeDefined();
      // Both backends visit the same live cells and voxels; the GPU's f32 kernel counts its evaluations.
      const w = v.work;
      expect(w?.webgpu?.liveCells).toBeGreaterThan(0);
      expect(w?.webgpu?.liveCells).toBeLessThanOrEqual(w?.webgpu?.cells ?? 0);
      expect(w?.cpu?.liveCells).toBe(w?.webgpu?.liveCells);
      expect(w?.cpu?.voxels).toBe(w?.webgpu?.voxels);
      expect(w?.webgpu?.f32Evaluations).toBeGreaterThan(0);
      expect(w?.cpu?.f32Evaluations).toBe(0);
      expect(w?.cpu?.float64Evaluations).toBeGreaterThan(0);
      // With timestamp queries, each kernel's GPU time is a stage of its own.
      if (doc.webgpu?.timestampQueries)
        expect(v.results.webgpu?.stages['gpu.shell_nearest']?.medianMs).toBeGreaterThan(0);
    }
    expect(table).toMatch(/work: live cells/);
    expect(table).toMatch(/phantom 64x64x48\s+total/);
    expect(table).toMatch(/cpu\/webgpu/);

    // Against itself every ratio is 1; against a run of other volumes it refuses.
    const self = await captured(['bench', '--compare', out, out]);
    expect(self.code).toBe(0);
    expect(self.out).toMatch(/1\.00×/);
    expect(self.out).not.toMatch(/[02-9]\.\d\d×|1\.(0[1-9]|[1-9]\d)×/);
    const other = join(dir, 'b.json');
    writeFileSync(other, JSON.stringify({ ...doc, volumes: doc.volumes.slice(0, 1) }));
    expect((await captured(['bench', '--compare', out, other])).code).toBe(3);
    writeFileSync(other, JSON.stringify({ ...doc, schema: 'perifat-bench/0' }));
    expect(() => compareDocs(doc, JSON.parse(readFileSync(other, 'utf8')), ['a', 'b'])).toThrow(/perifat-bench\/1/);
  }, 300_000);
});
