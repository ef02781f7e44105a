/**
 * A measurement session in Node: the backend `--backend` chose, opened once and used for any number
 * of cases (`perifat measure` runs one, `perifat batch` thousands): the CPU backend over worker
 * threads, or WebGPU in one headless Chromium whose page keeps its device and compiled pipelines.
 * `auto` runs WebGPU on a hardware GPU and the CPU backend where the only adapter would be a
 * software one; a GPU that fails on open falls back to the CPU with a warning in each report. A
 * lost device or crashed page is restarted and the case retried once. `runtime: 'node'` runs the
 * same WebGPU backend on Dawn in this process (no browser).
 */
import type { AdapterReport } from '../page/protocol';
import { CpuMeasureBackend } from '../../backends/cpu/backend';
import { PerifatError } from '../../errors';
import { measureDetailed, type MeasureInput, type MeasureLayers } from '../../measure/measure';
import type { MeasureOptions } from '../../measure/options';
import type { Report } from '../../measure/report-types';
import type { GpuMeasureBackend } from '../../backends/webgpu/measure-gpu';
import type { GpuContext } from '../../gpu/device';
// Chromium, Dawn and the page protocol load only when a session uses them: a CPU run starts without.
import type { ChromiumRunner } from './chromium';
import { type CenterlineRequest, deriveCenterlines } from '../../centerlines/derive';
import type { DerivedCenterlines } from '../../centerlines/types';
import type { CtVolume } from '../../volume/volume';
import { interrupted, onInterrupt } from './cleanup';
import { gpuPresence } from './gpu-presence';
import { processTreeRssMb } from './process-memory';
import { defaultThreads, workerClassifier } from './shell-workers';
import { ShellWorkerPool } from './worker-pool';
import { workerIndexBuilder } from './index-workers';
import type { IndexBuilder } from '../../shells/index-shares';

export type BackendChoice = 'webgpu' | 'cpu' | 'auto';
/** Where WebGPU runs: a headless Chromium page, or Dawn in this Node process (npm `webgpu`). */
export type RuntimeChoice = 'chromium' | 'node';

export interface SessionOptions {
  readonly backend: BackendChoice;
  /** Default chromium. */
  readonly runtime?: RuntimeChoice;
  readonly browserPath?: string | undefined;
  readonly verbose?: boolean;
  /** Threads of the CPU backend (default: one per core). */
  readonly threads?: number;
  /**
   * The CPU backend's worker threads, shared with other sessions (a batch's lanes): the caller
   * closes it. Without one, a session on the CPU backend starts its own when it opens.
   */
  readonly pool?: ShellWorkerPool;
  /** The CPU backend classifies on the pool's workers only, the main thread left free (a batch). */
  readonly offMainThread?: boolean;
  readonly log?: (message: string) => void;
}

export class MeasureSession {
  private runner: ChromiumRunner | null = null;
  /** Dawn's device and the backend on it, with --runtime node. */
  private dawn: { ctx: GpuContext; backend: GpuMeasureBackend } | null = null;
  private forgetRunner: () => void = () => {};
  /** Worker threads this session started for the CPU backend (closed with it). */
  private ownPool: ShellWorkerPool | null = null;
  private selection: string | undefined;
  private fallbackWarning: string | null = null;

  private constructor(private readonly opts: SessionOptions) {}

  /** The backend this session measures on, once opened. */
  get api(): 'webgpu' | 'cpu' {
    return this.runner || this.dawn ? 'webgpu' : 'cpu';
  }

  /** Resident memory of the browser and its processes (null on the CPU backend or off Linux). */
  browserRssMb(): number | null {
    return this.runner ? processTreeRssMb(this.runner.browserPid) : null;
  }

  static async open(opts: SessionOptions): Promise<MeasureSession> {
    const s = await MeasureSession.openBackend(opts);
    // On the CPU backend the classification's threads start now, while the caller reads its inputs;
    // on Dawn the same threads build the candidate index.
    if ((s.api === 'cpu' || s.dawn) && !opts.pool)
      s.ownPool = new ShellWorkerPool(opts.offMainThread ? s.threads : Math.max(0, s.threads - 1));
    return s;
  }

  private get threads(): number {
    return this.opts.threads ?? defaultThreads();
  }

  private static async openBackend(opts: SessionOptions): Promise<MeasureSession> {
    const s = new MeasureSession(opts);
    const log = opts.log ?? (() => {});
    if (opts.backend === 'cpu') return s;
    const presence = gpuPresence();
    if (opts.backend === 'auto' && !presence.likely) {
      s.selection = `auto: ${presence.why}; the CPU backend is the fastest here`;
      return s;
    }
    if (opts.runtime === 'node') return s.openDawn(log);
    try {
      log('starting headless Chromium (WebGPU)');
      await s.startRunner();
      // The page acquires its device now, and starts compiling its common kernels while the caller
      // reads the inputs (src/backends/webgpu/warm.ts).
      const { adapter } = await (s.runner as ChromiumRunner).call<AdapterReport>('adapter');
      if (opts.backend === 'auto') {
        if (adapter.isFallback) {
          await s.stopRunner();
          s.selection = `auto: Chromium's WebGPU adapter is a software one (${adapter.vendor} ${adapter.architecture}); the CPU backend is the fastest here`;
          return s;
        }
        s.selection = `auto: ${presence.why}; WebGPU adapter in Chromium`;
      }
    } catch (e) {
      // auto: a GPU that is missing or fails falls back to the CPU backend, and each report says so.
      if (
        opts.backend === 'auto' &&
        e instanceof PerifatError &&
        (e.code.startsWith('E_GPU') || e.code === 'E_RUNTIME')
      ) {
        await s.stopRunner();
        return s.fallBackToCpu(e, log);
      }
      await s.stopRunner();
      throw e;
    }
    return s;
  }

  /** auto: a GPU that is missing or fails gives way to the CPU backend, and each report says so. */
  private fallBackToCpu(e: PerifatError, log: (m: string) => void): MeasureSession {
    log(`WebGPU unavailable (${e.message}); measuring on the CPU backend`);
    this.selection = `auto: WebGPU failed (${e.code})`;
    this.fallbackWarning = `WebGPU failed (${e.code}: ${e.message}); measured on the CPU backend`;
    return this;
  }

  /** WebGPU through Dawn in this process; under auto a software adapter gives way to the CPU. */
  private async openDawn(log: (m: string) => void): Promise<MeasureSession> {
    try {
      log('opening WebGPU in Node (Dawn)');
      const { openDawn } = await import('./dawn');
      const ctx = await openDawn(this.opts.threads ?? defaultThreads());
      if (this.opts.backend === 'auto' && ctx.isSoftware) {
        ctx.dispose();
        this.selection = `auto: Dawn's WebGPU adapter is a software one (${ctx.adapter.vendor} ${ctx.adapter.description}); the CPU backend is the fastest here`;
        return this;
      }
      if (this.opts.backend === 'auto') this.selection = 'auto: WebGPU adapter in Node (Dawn)';
      // The WebGPU backend's modules load only when a session runs on Dawn.
      const [{ GpuBackend }, { GpuMeasureBackend }] = await Promise.all([
        import('../../backends/webgpu/gpu-backend'),
        import('../../backends/webgpu/measure-gpu'),
      ]);
      // The candidate index over this session's threads (the pool is started once this returns).
      const buildIndex: IndexBuilder = (plan, signal) => {
        const pool = this.opts.pool ?? this.ownPool ?? undefined;
        return workerIndexBuilder(this.threads, pool ? { pool } : {})(plan, signal);
      };
      this.dawn = { ctx, backend: new GpuMeasureBackend(new GpuBackend(ctx, { buildIndex }), 'node') };
      return this;
    } catch (e) {
      if (this.opts.backend === 'auto' && e instanceof PerifatError && e.code.startsWith('E_GPU')) {
        return this.fallBackToCpu(e, log);
      }
      throw e;
    }
  }

  /**
   * Measures one case. `signal` cancels it: the CPU backend stops at its next check, a WebGPU page
   * is closed and a fresh one started for the next case (a busy page cannot be interrupted).
   */
  async measure(
    input: MeasureInput,
    options: Partial<MeasureOptions>,
    wantLayers = false,
    signal?: AbortSignal,
  ): Promise<{ report: Report; layers: MeasureLayers | null }> {
    let result: { report: Report; layers: MeasureLayers | null };
    if (this.dawn) {
      this.dawn.ctx.assertAlive();
      result = await measureDetailed(input, this.dawn.backend, options, {
        wantLayers,
        ...(signal ? { control: { signal } } : {}),
      });
    } else if (!this.runner) {
      const pool = this.opts.pool ?? this.ownPool ?? undefined;
      const classify = workerClassifier(this.threads, undefined, {
        ...(pool ? { pool } : {}),
        offMainThread: this.opts.offMainThread === true,
      });
      result = await measureDetailed(input, new CpuMeasureBackend('node', { classify }), options, {
        wantLayers,
        ...(signal ? { control: { signal } } : {}),
      });
    } else {
      const { measureInChromiumDetailed } = await import('./measure-chromium');
      try {
        result = await this.cancellable(measureInChromiumDetailed(this.runner, input, options, { wantLayers }), signal);
      } catch (e) {
        // A lost device or a crashed page: a fresh browser, and the case once more.
        if (!(e instanceof PerifatError && (e.code === 'E_GPU_DEVICE_LOST' || e.code === 'E_RUNTIME'))) throw e;
        // The browser closed because the process is stopping: no new one.
        if (interrupted()) throw new PerifatError('E_INTERRUPTED', 'stopped while measuring');
        this.opts.log?.(`WebGPU failed (${e.code}); restarting Chromium and retrying the case once`);
        await this.stopRunner();
        await this.startRunner();
        result = await this.cancellable(measureInChromiumDetailed(this.runner, input, options, { wantLayers }), signal);
      }
    }
    if (this.selection) result.report.backend.selection = this.selection;
    if (this.fallbackWarning) result.report.warnings.unshift(this.fallbackWarning);
    return result;
  }

  /**
   * Derives centerlines (src/centerlines) with this session's EDT: the CPU twin, or the GPU kernel on
   * the page. Both give the same bits, so the same centerlines. Without the CT's HU (a mask and an
   * aorta mask need none) the CPU twin runs here.
   */
  async centerlines(ct: CtVolume | null, req: CenterlineRequest, signal?: AbortSignal): Promise<DerivedCenterlines> {
    const dawn = this.dawn?.backend;
    if (dawn) return deriveCenterlines(ct, req, (dims, spacing, mask) => dawn.edt(dims, spacing, mask), signal);
    if (!this.runner || !ct) {
      const cpu = new CpuMeasureBackend('node');
      return deriveCenterlines(ct, req, (dims, spacing, mask) => cpu.edt(dims, spacing, mask), signal);
    }
    const { centerlinesInChromium } = await import('./measure-chromium');
    return this.cancellable(centerlinesInChromium(this.runner, ct, req), signal);
  }

  /** The page's answer, or on `signal` a fresh browser and E_ABORTED (the old page's work is dropped). */
  private async cancellable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (!signal) return work;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, fail) => {
      onAbort = () => fail(new PerifatError('E_ABORTED', 'measurement cancelled'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } catch (e) {
      if (signal.aborted && !interrupted()) {
        work.catch(() => {}); // the closed page's call ends in an error nobody waits for
        await this.stopRunner();
        await this.startRunner();
      }
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.dawn?.ctx.dispose();
    this.dawn = null;
    await this.ownPool?.close();
    this.ownPool = null;
    await this.stopRunner();
  }

  private async startRunner(): Promise<void> {
    const { ChromiumRunner } = await import('./chromium');
    this.runner = await ChromiumRunner.start({
      ...(this.opts.browserPath ? { browserPath: this.opts.browserPath } : {}),
      verbose: this.opts.verbose === true,
    });
    const runner = this.runner;
    this.forgetRunner = onInterrupt(() => runner.close());
  }

  private async stopRunner(): Promise<void> {
    this.forgetRunner();
    this.forgetRunner = () => {};
    const r = this.runner;
    this.runner = null;
    await r?.close();
  }
}
