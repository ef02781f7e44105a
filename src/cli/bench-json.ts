/**
 * `perifat-bench/1`: what `perifat bench` measured, machine-readable so runs on two GPUs (or two
 * versions) compare with `perifat bench --compare A.json B.json`. Pure: statistics of stage times,
 * the document's shape, and the comparison (which refuses a different schema or volume set).
 */
import { PerifatError } from '../errors';
import type { ShellWork } from '../measure/pericoronary-types';

export const BENCH_SCHEMA = 'perifat-bench/1';

export interface StageStats {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly runs: number;
}

export interface BackendResult {
  readonly stages: Record<string, StageStats>;
  /** Effective GB/s of the memory-bound fat-statistics pass (CT int16 + labels u8 read once). */
  readonly fatStatsGBs: number | null;
}

export interface BenchVolume {
  /** `phantom 256x256x256`, `phantom 512x512x300 (slabs of 32 MiB)`, `case totalseg-chest-cta`. */
  readonly name: string;
  readonly dims: [number, number, number];
  readonly voxels: number;
  /** Binding cap forced on the WebGPU backend so the volume is cut into z-slabs (null: the device's). */
  readonly maxBindingBytes: number | null;
  /** Reading the volume's files (NIfTI / DICOM, masks, centerlines) in Node, for either backend. */
  readonly load: StageStats | null;
  readonly results: Partial<Record<'webgpu' | 'cpu', BackendResult>>;
  /** The WebGPU run's pericoronary crop and the z-slabs it was cut into (null: no WebGPU run or no vessels). */
  readonly pericoronary?: {
    readonly cropVoxels: number;
    readonly slabs: number;
    /** The shell_nearest kernel that ran: four voxels per invocation ('packet') or one ('voxel'). */
    readonly nearestKernel?: 'packet' | 'voxel';
  } | null;
  /**
   * The pericoronary classification's work on each backend (diagnostics.pericoronary.work): cells,
   * live cells, voxels visited, segment evaluations in f32 and in float64.
   */
  readonly work?: Partial<Record<'webgpu' | 'cpu', ShellWork>>;
  /** With --check: whether the WebGPU and CPU reports agree (null: not checked), and where not. */
  readonly agree?: boolean | null;
  readonly disagreement?: string;
}

export interface BenchDoc {
  readonly schema: typeof BENCH_SCHEMA;
  readonly perifat: string;
  readonly createdAt: string;
  readonly host: { platform: string; cpus: number; node: string };
  /** The WebGPU side: where it ran and on what (null when only the CPU backend was benchmarked). */
  readonly webgpu: {
    /** chromium: headless Chromium's WebGPU; node: Dawn for Node (npm webgpu) in the perifat process. */
    runtime: 'chromium' | 'node';
    /** The browser's version, or the WebGPU implementation's name in Node. */
    browser: string;
    adapter: { vendor: string; architecture: string; description: string };
    softwareAdapter: boolean;
    /** Stage times are to queue completion; `gpu.<kernel>` stages, where offered, from timestamp queries. */
    timing: 'queue completion';
    /** Whether the device had `timestamp-query`: the stages then include each kernel's GPU time. */
    timestampQueries?: boolean;
    limits: Record<string, number>;
  } | null;
  readonly warmup: number;
  readonly repeats: number;
  readonly volumes: BenchVolume[];
}

/** Median and 95th percentile (nearest rank) of one stage's times. */
export function stageStats(ms: readonly number[]): StageStats {
  const s = [...ms].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] as number;
  return { medianMs: round(median), p95Ms: round(p95), runs: s.length };
}

/** Per-stage statistics over runs, each run a record of stage → ms (stages missing in a run skipped). */
export function summarizeRuns(runs: readonly Record<string, number>[]): Record<string, StageStats> {
  const names: string[] = [];
  for (const r of runs) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  const out: Record<string, StageStats> = {};
  for (const k of names) {
    const xs = runs.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
    if (xs.length) out[k] = stageStats(xs);
  }
  return out;
}

/** 12.3 M, 845 k, 512: counts short enough for the table. */
function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)} k`;
  return String(n);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The table `perifat bench` prints: one row per volume and stage, both backends and their ratio. */
export function benchTable(doc: BenchDoc): string {
  const rows: string[][] = [['volume', 'stage', 'webgpu median', 'webgpu p95', 'cpu median', 'cpu p95', 'cpu/webgpu']];
  for (const v of doc.volumes) {
    const g = v.results.webgpu;
    const c = v.results.cpu;
    if (v.load)
      rows.push([
        v.name,
        'load (Node)',
        ms(v.load.medianMs),
        ms(v.load.p95Ms),
        ms(v.load.medianMs),
        ms(v.load.p95Ms),
        '',
      ]);
    const stages = [...new Set([...Object.keys(g?.stages ?? {}), ...Object.keys(c?.stages ?? {})])];
    for (const s of stages) {
      const gs = g?.stages[s];
      const cs = c?.stages[s];
      rows.push([
        v.name,
        s,
        ms(gs?.medianMs),
        ms(gs?.p95Ms),
        ms(cs?.medianMs),
        ms(cs?.p95Ms),
        gs && cs && gs.medianMs > 0 ? `${(cs.medianMs / gs.medianMs).toFixed(2)}×` : '',
      ]);
    }
    const gb = [g?.fatStatsGBs, c?.fatStatsGBs];
    if (gb.some((x) => x != null)) {
      rows.push([v.name, 'fat stats GB/s', gbs(gb[0]), '', gbs(gb[1]), '', '']);
    }
    // The classification's work, counted alike: live cells of all, voxels in them, segment evaluations.
    const w = [v.work?.webgpu, v.work?.cpu];
    if (w.some((x) => x)) {
      const cells = (x?: ShellWork) => (x ? `${count(x.liveCells)}/${count(x.cells)}` : '');
      const evals = (x?: ShellWork) => (x ? `${count(x.f32Evaluations)} + ${count(x.float64Evaluations)}` : '');
      rows.push([v.name, 'work: live cells', cells(w[0]), '', cells(w[1]), '', '']);
      rows.push([v.name, 'work: voxels', w[0] ? count(w[0].voxels) : '', '', w[1] ? count(w[1].voxels) : '', '', '']);
      rows.push([v.name, 'work: f32 + f64 evals', evals(w[0]), '', evals(w[1]), '', '']);
    }
  }
  return table(rows);
}

/** B against A, volume by volume and stage by stage (B/A of the medians). */
export function compareDocs(a: unknown, b: unknown, names: [string, string]): string {
  const docs = [a, b].map((d, i) => {
    const doc = d as Partial<BenchDoc> | null;
    if (!doc || doc.schema !== BENCH_SCHEMA || !Array.isArray(doc.volumes)) {
      throw new PerifatError('E_INPUT_FORMAT', `not a ${BENCH_SCHEMA} document`, { file: names[i] });
    }
    return doc as BenchDoc;
  }) as [BenchDoc, BenchDoc];
  const key = (d: BenchDoc) =>
    d.volumes
      .map((v) => `${v.name}@${v.dims.join('x')}`)
      .sort()
      .join('; ');
  if (key(docs[0]) !== key(docs[1])) {
    throw new PerifatError(
      'E_INPUT_FORMAT',
      `the two runs measured different volumes (${key(docs[0])} vs ${key(docs[1])})`,
      { file: names[1] },
    );
  }
  const label = (d: BenchDoc) =>
    d.webgpu ? `${d.webgpu.adapter.vendor} ${d.webgpu.adapter.architecture}`.trim() : `cpu ×${d.host.cpus}`;
  const rows: string[][] = [['volume', 'backend', 'stage', `A (${label(docs[0])})`, `B (${label(docs[1])})`, 'B/A']];
  for (const va of docs[0].volumes) {
    const vb = docs[1].volumes.find((v) => v.name === va.name) as BenchVolume;
    for (const backend of ['webgpu', 'cpu'] as const) {
      const ra = va.results[backend];
      const rb = vb.results[backend];
      if (!ra || !rb) continue;
      for (const s of Object.keys(ra.stages)) {
        const x = ra.stages[s]?.medianMs;
        const y = rb.stages[s]?.medianMs;
        if (x === undefined || y === undefined) continue;
        rows.push([va.name, backend, s, ms(x), ms(y), x > 0 ? `${(y / x).toFixed(2)}×` : '']);
      }
    }
  }
  return table(rows);
}

function ms(x: number | undefined): string {
  if (x === undefined) return '';
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`;
}

function gbs(x: number | null | undefined): string {
  return x == null ? '' : `${x.toFixed(2)} GB/s`;
}

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
