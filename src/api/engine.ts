/**
 * The engine a web app (or Node) drives: one device or the CPU, pipelines compiled once and kept
 * per device, `measure()` returning the same `perifat-report/1` as `perifat measure`, number for
 * number. An app's own GPUDevice is checked against REQUIRED_LIMITS first and never destroyed.
 */
import { type CenterlineRequest, deriveCenterlines } from '../centerlines/derive';
import type { TraceRequest } from '../centerlines/trace-spec';
import type { DerivedCenterlines } from '../centerlines/types';
import { CpuMeasureBackend } from '../backends/cpu/backend';
import { PerifatError } from '../errors';
import { type GpuContext, acquireGpu } from '../gpu/device';
import { GpuBackend } from '../backends/webgpu/gpu-backend';
import { warmPipelines } from '../backends/webgpu/warm';
import { GpuMeasureBackend } from '../backends/webgpu/measure-gpu';
import type { MeasureBackend } from '../measure/backend';
import { type MeasureControl, type MeasureProgress, untilAborted } from '../measure/control';
import { measureDetailed, type MeasureLayers } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import type { BackendInfo, Report } from '../measure/report-types';
import type { CropClassifier } from '../backends/cpu/pericoronary';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Lesion, VesselSet } from '../volume/vessels';
import { checkDeviceLimits } from './limits';
import { checkCallOptions, checkEngineOptions } from './call-checks';

export interface EngineOptions {
  /** An app's GPUDevice: checked against REQUIRED_LIMITS (E_GPU_LIMITS), used, never destroyed. */
  readonly device?: GPUDevice;
  /**
   * 'webgpu' (fails with E_GPU_UNAVAILABLE without it), 'cpu', or 'auto' (default): WebGPU on a
   * hardware adapter, the CPU where the only adapter is a software one or there is none.
   */
  readonly backend?: 'webgpu' | 'cpu' | 'auto';
  /** How the CPU backend runs its float64 shells (Node passes a worker-thread pool). */
  readonly classify?: CropClassifier;
  /** Runtime recorded in reports. */
  readonly runtime?: BackendInfo['runtime'];
}

export interface MeasureRequest {
  readonly ct: CtVolume;
  /** On the CT grid (readMask resamples onto it). */
  readonly pericardium?: LabelVolume | null;
  readonly vessels?: VesselSet | null;
  /** Lesions added to the centerlines' own (or to the derived ones, by their names). */
  readonly lesions?: readonly Lesion[];
  /**
   * Without `vessels`: derive the centerlines in the same run from a coronary mask on the CT grid
   * (with an optional aorta mask; `coronaryLabels` names the labels of a multi-label mask) or from
   * traces (ostium, waypoints, distal end, LPS mm). The report's `centerlines` records how.
   */
  readonly coronaryMask?: LabelVolume | null;
  readonly aorta?: LabelVolume | null;
  readonly coronaryLabels?: Readonly<Record<number, string>>;
  readonly trace?: readonly TraceRequest[];
}

/** What to derive centerlines from (Engine.centerlines). */
export interface CenterlinesRequest {
  readonly ct: CtVolume;
  readonly coronaryMask?: LabelVolume | null;
  readonly aorta?: LabelVolume | null;
  readonly coronaryLabels?: Readonly<Record<number, string>>;
  readonly trace?: readonly TraceRequest[];
}

export interface MeasureCallOptions extends Partial<MeasureOptions> {
  /** Cancels between stages and dispatches with a typed E_ABORTED. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: MeasureProgress) => void;
  /** Also return the VOI / ring / lesion label layers (measureDetailed). */
  readonly wantLayers?: boolean;
  /**
   * The worker engine only: false copies the request's volumes to the worker (the caller's stay
   * usable); true (default) transfers them (detached here afterwards; measureDetailed's `input`
   * holds them again).
   */
  readonly transfer?: boolean;
}

export interface Engine {
  /** The backend every measurement of this engine runs on. */
  readonly backend: BackendInfo;
  measure(request: MeasureRequest, options?: MeasureCallOptions): Promise<Report>;
  measureDetailed(
    request: MeasureRequest,
    options?: MeasureCallOptions,
  ): Promise<{ report: Report; layers: MeasureLayers | null }>;
  /**
   * Coronary centerlines from a coronary mask or traces, named RCA / LAD / LCx (+ branches), with the
   * backend's EDT (the GPU kernel or its CPU twin: the same centerlines either way).
   */
  centerlines(request: CenterlinesRequest, options?: { signal?: AbortSignal }): Promise<DerivedCenterlines>;
  /** Releases every GPU object the engine made (and its device, if it made that too). */
  destroy(): void;
}

function centerlineRequestOf(r: Omit<CenterlinesRequest, 'ct'>): CenterlineRequest | null {
  if (!r.coronaryMask && !r.trace?.length) return null;
  return {
    ...(r.coronaryMask ? { coronaryMask: r.coronaryMask } : {}),
    ...(r.aorta ? { aorta: r.aorta } : {}),
    ...(r.coronaryLabels ? { labelNames: r.coronaryLabels } : {}),
    ...(r.trace?.length ? { trace: r.trace } : {}),
  };
}

function typed(e: unknown): PerifatError {
  if (e instanceof PerifatError) return e;
  if (typeof DOMException !== 'undefined' && e instanceof DOMException && e.name === 'AbortError') {
    return new PerifatError('E_ABORTED', 'measurement cancelled');
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return new PerifatError('E_RUNTIME', `${err.name}: ${err.message}`, { cause: e });
}

/** The device to run on, and for 'auto' why (the report's `backend.selection`, as the CLI writes it). */
async function gpuContext(opts: EngineOptions): Promise<{ ctx: GpuContext | null; selection?: string }> {
  if (opts.backend === 'cpu') return { ctx: null };
  if (opts.device) {
    checkDeviceLimits(opts.device);
    return { ctx: await acquireGpu({ device: opts.device }) };
  }
  const auto = opts.backend !== 'webgpu';
  try {
    const ctx = await acquireGpu();
    if (auto && ctx.isSoftware) {
      // A software adapter emulates a GPU on the CPU cores the CPU backend would use, slower.
      const a = ctx.adapter;
      ctx.dispose();
      return {
        ctx: null,
        selection: `auto: the WebGPU adapter is a software one (${a.vendor} ${a.architecture}); the CPU backend is the fastest here`,
      };
    }
    return auto ? { ctx, selection: 'auto: WebGPU adapter' } : { ctx };
  } catch (e) {
    if (!auto) throw typed(e);
    const why = e instanceof Error ? e.message : String(e);
    return { ctx: null, selection: `auto: no usable WebGPU adapter (${why}); CPU backend` };
  }
}

export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  checkEngineOptions(opts, ['device', 'backend', 'classify', 'runtime']);
  const runtime = opts.runtime ?? 'browser';
  const { ctx, selection } = await gpuContext(opts);
  let destroyed = false;
  const backendFor = (): { backend: MeasureBackend; dispose: () => void } => {
    if (destroyed) throw new PerifatError('E_RUNTIME', 'this engine was destroyed');
    if (!ctx) {
      return {
        backend: new CpuMeasureBackend(runtime, opts.classify ? { classify: opts.classify } : {}),
        dispose: () => {},
      };
    }
    ctx.assertAlive();
    // A backend per measurement: its volumes go with it, the device and pipelines stay.
    const gpu = new GpuBackend(ctx);
    return { backend: new GpuMeasureBackend(gpu, runtime), dispose: () => gpu.dispose() };
  };
  // GPU work runs one call at a time on the device. A cancelled call is answered at once
  // (E_ABORTED as soon as the signal fires) while its stage drains in the background: it stops at
  // the next stage boundary and releases its buffers, and the next call starts only after that, so
  // two calls' submissions and error scopes never interleave. The CPU backend answers a cancel itself.
  // First in the device's queue: the common kernels compile while the app gets its inputs.
  let deviceQueue: Promise<unknown> = ctx ? warmPipelines(ctx) : Promise.resolve();
  const onDevice = async <T>(control: MeasureControl, work: () => Promise<T>): Promise<T> => {
    if (!ctx) return work();
    const turn = deviceQueue.then(work);
    deviceQueue = turn.catch(() => undefined);
    return untilAborted(turn, control);
  };
  const info: BackendInfo = {
    ...(ctx ? { api: 'webgpu', runtime, adapter: ctx.adapter } : { api: 'cpu', runtime, adapter: null }),
    ...(selection ? { selection } : {}),
  };
  const run = async (request: MeasureRequest, options: MeasureCallOptions = {}) => {
    checkCallOptions(options);
    // `transfer` is the worker engine's; the rest are the measurement's (checked by withDefaults).
    const { signal, onProgress, wantLayers, transfer: _transfer, ...measureOptions } = options;
    const control: MeasureControl = { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) };
    try {
      return await onDevice(control, () => measureOn(request, measureOptions, wantLayers === true, control));
    } catch (e) {
      throw typed(e);
    }
  };
  const measureOn = async (
    request: MeasureRequest,
    measureOptions: Partial<MeasureOptions>,
    wantLayers: boolean,
    control: MeasureControl,
  ) => {
    const { backend, dispose } = backendFor();
    try {
      const vessels = request.vessels
        ? request.lesions?.length
          ? { ...request.vessels, lesions: [...request.vessels.lesions, ...request.lesions] }
          : request.vessels
        : null;
      const centerlines = vessels ? null : centerlineRequestOf(request);
      const result = await measureDetailed(
        {
          ct: request.ct,
          pericardium: request.pericardium ?? null,
          vessels,
          centerlines,
          ...(centerlines && request.lesions ? { lesions: request.lesions } : {}),
        },
        backend,
        measureOptions,
        { wantLayers, control },
      );
      // Why this backend ran, in the report as in the CLI's.
      return selection
        ? { ...result, report: { ...result.report, backend: { ...result.report.backend, selection } } }
        : result;
    } finally {
      dispose();
    }
  };
  return {
    backend: info,
    measure: async (request, options) => (await run(request, options)).report,
    measureDetailed: run,
    async centerlines(request, options = {}) {
      const req = centerlineRequestOf(request);
      if (!req) throw new PerifatError('E_OPTIONS', 'centerlines: give a coronaryMask or a trace');
      const derive = async () => {
        const { backend, dispose } = backendFor();
        try {
          return await deriveCenterlines(
            request.ct,
            req,
            (dims, spacing, mask) => backend.edt(dims, spacing, mask),
            options.signal,
          );
        } finally {
          dispose();
        }
      };
      try {
        return await onDevice(options.signal ? { signal: options.signal } : {}, derive);
      } catch (e) {
        throw typed(e);
      }
    },
    destroy() {
      destroyed = true;
      ctx?.dispose();
    },
  };
}
