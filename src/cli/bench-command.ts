/**
 * `perifat bench`: the measurement's stages on synthetic volumes (phantoms with tortuous coronary
 * trees, written to and read back from NIfTI files) and on the bundled real scans, on WebGPU in
 * headless Chromium and on the CPU backend in the same run: warm-up, then median and p95 per stage,
 * the fat-statistics pass's effective GB/s, CPU/WebGPU ratios. Prints a table and writes
 * `perifat-bench/1` JSON; `--compare A.json B.json` sets two runs side by side.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { AdapterReport } from '../platform/page/protocol';
import {
  BENCH_SCHEMA,
  type BackendResult,
  type BenchDoc,
  type BenchVolume,
  benchTable,
  compareDocs,
  stageStats,
  summarizeRuns,
} from './bench-json';
import { CpuMeasureBackend } from '../backends/cpu/backend';
import { PerifatError } from '../errors';
import { measureDetailed, type MeasureInput } from '../measure/measure';
import type { Report } from '../measure/report-types';
import type { ShellWork } from '../measure/pericoronary-types';
import { onInterrupt } from '../platform/node/cleanup';
import { loadCt, loadLabels, loadVessels } from '../platform/node/load';
import { OutputSet } from '../platform/node/output-set';
import { defaultThreads, workerClassifier } from '../platform/node/shell-workers';
import { makePhantom } from '../phantom';
import { writePhantom } from '../platform/node/phantom-files';
import { reportDifferences } from '../measure/report-agree';
import { ChromiumRunner, type PageRunner } from '../platform/node/chromium';
import { DawnPageRunner } from '../platform/node/dawn-page-runner';
import { measureInChromiumDetailed } from '../platform/node/measure-chromium';
import { PERIFAT_VERSION } from '../version';
import { loadCase } from './case-file';
import { EXIT } from './exit-codes';
import { RUNTIME_FLAG, RUNTIME_USAGE, runtimeFrom } from './args';
import { Progress } from './progress';

export const BENCH_USAGE = `usage: perifat bench [--out bench.json] [options]
       perifat bench --compare A.json B.json
  --volumes LIST         phantom sizes, comma-separated (default 256x256x256,512x512x300,512x512x600);
                         "slab:DIMS" measures DIMS with WebGPU bindings capped at an eighth of the CT, the
                         z-slab path a volume larger than maxStorageBufferBindingSize takes;
                         "packet:DIMS" and "voxel:DIMS" run WebGPU's shell_nearest with four voxels per
                         invocation or one instead of the adapter's choice
  --quick                128x128x96 and slab:256x256x160 (a minute on a software adapter)
  --no-cases             leave out the bundled real scans (cases/*.json of a checkout)
  --backends LIST        webgpu,cpu (default both)
  --warmup N             unmeasured runs per volume and backend (default 1)
  --repeats N            measured runs (default 3)
  --out FILE             the perifat-bench/1 JSON
  --check                compare the WebGPU and CPU reports of every volume (exit 4 when they differ)
  --require-hardware     refuse a software WebGPU adapter (SwiftShader, llvmpipe): a GPU figure only
  --browser PATH         Chrome/Chromium executable
${RUNTIME_USAGE}
  --compare A B          print B against A (refuses different schemas or volume sets)`;

const DEFAULT_VOLUMES = ['256x256x256', '512x512x300', '512x512x600', 'slab:512x512x300'];
const QUICK_VOLUMES = ['128x128x96', 'slab:256x256x160'];

interface VolumeSpec {
  name: string;
  dims?: [number, number, number];
  caseFile?: string;
  maxBindingBytes: number | null;
  /** The WebGPU shell_nearest kernel forced (null: the adapter's choice). */
  nearest: 'packet' | 'voxel' | null;
}

export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      volumes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-cases': { type: 'boolean', default: false },
      backends: { type: 'string', default: 'webgpu,cpu' },
      warmup: { type: 'string', default: '1' },
      repeats: { type: 'string', default: '3' },
      out: { type: 'string' },
      browser: { type: 'string' },
      ...RUNTIME_FLAG,
      compare: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'require-hardware': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(BENCH_USAGE);
    return EXIT.ok;
  }
  if (values.compare) {
    if (positionals.length !== 2) throw new PerifatError('E_USAGE', `--compare takes two files\n${BENCH_USAGE}`);
    const [a, b] = positionals as [string, string];
    console.log(compareDocs(readJson(a), readJson(b), [a, b]));
    return EXIT.ok;
  }
  if (positionals.length) throw new PerifatError('E_USAGE', `unexpected ${positionals.join(' ')}\n${BENCH_USAGE}`);
  const count = (flag: string, text: string, min: number): number => {
    const n = Number(text);
    if (!(Number.isInteger(n) && n >= min && n <= 1000)) {
      throw new PerifatError('E_USAGE', `${flag} expects a whole number ≥ ${min}, got "${text}"`);
    }
    return n;
  };
  const warmup = count('--warmup', values.warmup, 0);
  const repeats = count('--repeats', values.repeats, 1);
  const backends = values.backends.split(',').map((b) => b.trim());
  if (!backends.length || backends.some((b) => b !== 'webgpu' && b !== 'cpu')) {
    throw new PerifatError('E_USAGE', `--backends expects webgpu and/or cpu, got "${values.backends}"`);
  }
  const specs = volumeSpecs(values.volumes, values.quick, !values['no-cases']);
  const progress = new Progress(!values.quiet);

  const work = mkdtempSync(join(tmpdir(), 'perifat-bench-'));
  const runtime = runtimeFrom(values);
  let runner: PageRunner | null = null;
  const forget = onInterrupt(async () => {
    await runner?.close();
    rmSync(work, { recursive: true, force: true });
  });
  try {
    let webgpu: BenchDoc['webgpu'] = null;
    if (backends.includes('webgpu')) {
      let browser: string;
      if (runtime === 'node') {
        progress.step('opening WebGPU in Node (Dawn)');
        runner = await DawnPageRunner.start();
        browser = 'Dawn for Node (npm webgpu)';
      } else {
        progress.step('starting headless Chromium (WebGPU)');
        const chromium = await ChromiumRunner.start({
          ...(values.browser ? { browserPath: values.browser } : {}),
          verbose: values.verbose,
        });
        runner = chromium;
        browser = await chromium.browserVersion();
      }
      const { adapter, limits } = await runner.call<AdapterReport>('adapter');
      if (values['require-hardware'] && adapter.isFallback) {
        throw new PerifatError(
          'E_GPU_UNAVAILABLE',
          `the WebGPU adapter is a software one (${adapter.vendor} ${adapter.description}): no GPU figure (--require-hardware)`,
        );
      }
      webgpu = {
        runtime,
        browser,
        adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description },
        softwareAdapter: adapter.isFallback === true,
        timing: 'queue completion',
        limits,
      };
      progress.step(
        `adapter ${adapter.vendor} ${adapter.architecture}${adapter.isFallback ? ' (software)' : ''}, ${browser}`,
      );
    }
    const volumes: BenchVolume[] = [];
    for (const spec of specs) {
      progress.step(`${spec.name}: preparing`);
      const files = await prepare(spec, work);
      const loads: number[] = [];
      let pericoronary: BenchVolume['pericoronary'] = null;
      const shellWork: Partial<Record<'webgpu' | 'cpu', ShellWork>> = {};
      const runs: Record<'webgpu' | 'cpu', { stages: Record<string, number>[]; eatMs: number[] }> = {
        webgpu: { stages: [], eatMs: [] },
        cpu: { stages: [], eatMs: [] },
      };
      let dims: [number, number, number] = [0, 0, 0];
      const last: Partial<Record<'webgpu' | 'cpu', Report>> = {};
      for (let r = 0; r < warmup + repeats; r++) {
        const measured = r >= warmup;
        const t0 = performance.now();
        const input = await files.load();
        if (measured) loads.push(performance.now() - t0);
        dims = [...input.ct.dims];
        for (const b of backends as ('webgpu' | 'cpu')[]) {
          const t = performance.now();
          const report = await measureOn(b, runner, input, spec);
          const wall = performance.now() - t;
          last[b] = report;
          const pc = report.diagnostics?.pericoronary;
          if (b === 'webgpu' && pc?.slabs !== undefined) {
            const kernel = pc.nearestKernel ? { nearestKernel: pc.nearestKernel } : {};
            pericoronary = { cropVoxels: pc.cropVoxels, slabs: pc.slabs, ...kernel };
          }
          if (pc?.work) shellWork[b] = pc.work;
          if (b === 'webgpu' && webgpu && Object.keys(report.timingsMs).some((k) => k.startsWith('gpu.'))) {
            webgpu.timestampQueries = true;
          }
          if (!measured) continue;
          const stages: Record<string, number> = { ...report.timingsMs, wall };
          // WebGPU: the transfer of the volume to the page and of the results back, outside the page's clock.
          if (b === 'webgpu' && report.timingsMs['total'] !== undefined) {
            stages['transfer'] = Math.max(0, wall - report.timingsMs['total']);
          }
          runs[b].stages.push(stages);
          if (report.timingsMs['eat'] !== undefined) runs[b].eatMs.push(report.timingsMs['eat']);
        }
        progress.step(`${spec.name}: run ${r + 1}/${warmup + repeats}${measured ? '' : ' (warm-up)'}`);
      }
      const voxels = dims[0] * dims[1] * dims[2];
      const results: BenchVolume['results'] = {};
      for (const b of backends as ('webgpu' | 'cpu')[]) {
        const eat = runs[b].eatMs.length ? stageStats(runs[b].eatMs).medianMs : null;
        const result: BackendResult = {
          stages: summarizeRuns(runs[b].stages),
          // The pass reads the int16 CT and the u8 labels once.
          fatStatsGBs: eat && eat > 0 ? Math.round(((voxels * 3) / (eat / 1000) / 1e9) * 100) / 100 : null,
        };
        results[b] = result;
      }
      // The WebGPU path settles in float64: every count equal, HU within 1e-9.
      const disagreement =
        values.check && last.webgpu && last.cpu ? (reportDifferences(last.webgpu, last.cpu, 1e-9)[0] ?? null) : null;
      volumes.push({
        name: spec.name,
        dims,
        voxels,
        maxBindingBytes: spec.maxBindingBytes,
        load: loads.length ? stageStats(loads) : null,
        results,
        pericoronary,
        ...(Object.keys(shellWork).length ? { work: shellWork } : {}),
        ...(values.check ? { agree: last.webgpu && last.cpu ? disagreement === null : null } : {}),
        ...(disagreement ? { disagreement } : {}),
      });
    }
    const doc: BenchDoc = {
      schema: BENCH_SCHEMA,
      perifat: PERIFAT_VERSION,
      createdAt: new Date().toISOString(),
      host: { platform: `${process.platform}-${process.arch}`, cpus: availableParallelism(), node: process.version },
      webgpu,
      warmup,
      repeats,
      volumes,
    };
    progress.done();
    console.log(benchTable(doc));
    if (webgpu) {
      console.log(
        `WebGPU: ${webgpu.adapter.vendor} ${webgpu.adapter.architecture}${webgpu.softwareAdapter ? ' (software adapter)' : ''} ` +
          `${webgpu.runtime === 'node' ? 'in Node' : 'in headless Chromium'} (${webgpu.browser}); stage times to queue completion${webgpu.timestampQueries ? ', gpu.* stages from timestamp queries' : ''}. CPU backend: ${defaultThreads()} threads.`,
      );
    }
    if (values.out) {
      const out = new OutputSet();
      out.file(values.out, `${JSON.stringify(doc, null, 2)}\n`);
      out.commit();
      if (!values.quiet) console.error(`perifat bench: ${values.out}`);
    }
    if (values.check) {
      const bad = volumes.filter((v) => v.agree === false);
      for (const v of bad) console.error(`perifat bench: ${v.name}: WebGPU and CPU differ at ${v.disagreement}`);
      if (bad.length) throw new PerifatError('E_RUNTIME', `WebGPU and CPU reports differ on ${bad.length} volume(s)`);
      if (!values.quiet) console.error(`perifat bench: WebGPU and CPU reports agree on every volume`);
    }
    return EXIT.ok;
  } finally {
    forget();
    await runner?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function volumeSpecs(list: string | undefined, quick: boolean, withCases: boolean): VolumeSpec[] {
  const items = list ? list.split(',').map((s) => s.trim()) : quick ? QUICK_VOLUMES : DEFAULT_VOLUMES;
  const specs: VolumeSpec[] = items.map((item) => {
    const prefix = /^(slab|packet|voxel):/.exec(item)?.[1] ?? null;
    const slab = prefix === 'slab';
    const nearest = prefix === 'packet' || prefix === 'voxel' ? prefix : null;
    const text = prefix ? item.slice(prefix.length + 1) : item;
    const d = text.split('x').map(Number);
    if (d.length !== 3 || d.some((v) => !Number.isInteger(v) || v < 32 || v > 2048)) {
      throw new PerifatError('E_USAGE', `--volumes: "${item}" is not DIMS (e.g. 256x256x256, each 32–2048)`);
    }
    // Slabs: bindings of an eighth of the int16 CT's slices, so it is cut into eight z-slabs (and a
    // pericoronary crop of more than a sixteenth of the CT too: its widest per-voxel buffer is int16).
    const [nx, ny, nz] = d as [number, number, number];
    const cap = Math.ceil(nz / 8) * nx * ny * 2;
    const kernel = nearest === 'packet' ? 'four voxels per invocation' : 'one voxel per invocation';
    return {
      name: slab
        ? `phantom ${text} (${(cap / 2 ** 20).toFixed(1)} MiB bindings)`
        : nearest
          ? `phantom ${text} (shell_nearest ${kernel})`
          : `phantom ${text}`,
      dims: d as [number, number, number],
      maxBindingBytes: slab ? cap : null,
      nearest,
    };
  });
  if (withCases) {
    const dir = bundledCases();
    if (dir) {
      for (const f of readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()) {
        const name = `case ${f.replace(/\.json$/, '')}`;
        specs.push({ name, caseFile: resolve(dir, f), maxBindingBytes: null, nearest: null });
      }
    }
  }
  return specs;
}

/** The checkout's cases/ folder (from src/cli or dist/…), or null in an installed package. */
function bundledCases(): string | null {
  let at = fileURLToPath(new URL('.', import.meta.url));
  for (let up = 0; up < 4; up++) {
    if (existsSync(join(at, 'cases')) && existsSync(join(at, 'package.json'))) return join(at, 'cases');
    at = resolve(at, '..');
  }
  return null;
}

/** A volume's files and how to read them (each run reads them again: `load` is a stage). */
async function prepare(spec: VolumeSpec, work: string): Promise<{ load(): Promise<MeasureInput> }> {
  if (spec.caseFile) {
    const file = spec.caseFile;
    return { load: async () => (await loadCase(file)).input };
  }
  const dims = spec.dims as [number, number, number];
  // A 200 mm field of view in-plane and 0.5 mm slices, a tortuous three-vessel tree.
  const inPlane = 200 / Math.max(dims[0], dims[1]);
  const phantom = makePhantom({ dims, spacing: [inPlane, inPlane, 0.5], noiseSd: 12, seed: 7, tree: {} });
  const files = await writePhantom(phantom, join(work, spec.name.replace(/[^A-Za-z0-9]+/g, '-')));
  return {
    load: async () => {
      const ct = await loadCt(files.ct);
      return {
        ct,
        pericardium: await loadLabels(files.pericardium, { onto: ct }),
        vessels: await loadVessels(files.vessels, { ct }),
      };
    },
  };
}

async function measureOn(
  backend: 'webgpu' | 'cpu',
  runner: PageRunner | null,
  input: MeasureInput,
  spec: Pick<VolumeSpec, 'maxBindingBytes' | 'nearest'>,
): Promise<Report> {
  if (backend === 'cpu') {
    const cpu = new CpuMeasureBackend('node', { classify: workerClassifier(defaultThreads()) });
    return (await measureDetailed(input, cpu, {})).report;
  }
  if (!runner) throw new PerifatError('E_RUNTIME', 'no browser for the WebGPU backend');
  const extra = {
    ...(spec.maxBindingBytes !== null ? { maxBindingBytes: spec.maxBindingBytes } : {}),
    ...(spec.nearest !== null ? { nearest: spec.nearest } : {}),
    profile: true,
  };
  return (await measureInChromiumDetailed(runner, input, {}, extra)).report;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PerifatError('E_INPUT_FORMAT', `not readable JSON: ${(e as Error).message}`, { file: path });
  }
}
