/**
 * The page side of the perifat worker: an Engine whose work runs in a dedicated worker. Volumes
 * sent to measure() are transferred, not copied (their buffers are detached afterwards);
 * measureDetailed() transfers them there and back (`input` of its result holds them again);
 * centerlines() copies them (the caller keeps its own); files sent to measureFiles() are read in
 * the worker.
 */
import { PerifatError, reviveError } from '../errors';
import type { MeasureProgress } from '../measure/control';
import type { MeasureLayers } from '../measure/measure';
import type { BackendInfo, Report } from '../measure/report-types';
import type { DerivedCenterlines } from '../centerlines/types';
import type { CenterlinesRequest, MeasureCallOptions, MeasureRequest } from './engine';
import {
  type FileRequest,
  type FromWorker,
  type ToWorker,
  type WorkerMeasureOptions,
  volumeBuffers,
} from './worker-protocol';

/** A measurement with what a viewer shows: the label layers (with `wantLayers`) and the volumes measured. */
export interface DetailedResult {
  readonly report: Report;
  readonly layers: MeasureLayers | null;
  readonly input: MeasureRequest;
}

export interface WorkerEngine {
  readonly backend: BackendInfo;
  measure(request: MeasureRequest, options?: MeasureCallOptions): Promise<Report>;
  measureFiles(files: FileRequest, options?: MeasureCallOptions): Promise<Report>;
  /** As measure, and the volumes come back (their buffers were transferred to the worker and back). */
  measureDetailed(request: MeasureRequest, options?: MeasureCallOptions): Promise<DetailedResult>;
  /** Files read in the worker; the volumes read come back for display. */
  measureFilesDetailed(files: FileRequest, options?: MeasureCallOptions): Promise<DetailedResult>;
  /**
   * Engine.centerlines in the worker: centerlines from a coronary mask or traced from clicked points.
   * The volumes are copied to the worker, so the caller's stay usable.
   */
  centerlines(request: CenterlinesRequest, options?: { signal?: AbortSignal }): Promise<DerivedCenterlines>;
  /** Ends the worker (and every GPU object in it). */
  destroy(): void;
}

interface Pending {
  resolve(r: FromWorker): void;
  reject(e: PerifatError): void;
  onProgress?: (p: MeasureProgress) => void;
}

export async function createWorkerEngine(
  worker: Worker,
  opts: { backend?: 'webgpu' | 'cpu' | 'auto' } = {},
): Promise<WorkerEngine> {
  let next = 1;
  const pending = new Map<number, Pending>();
  worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.progress);
      return;
    }
    pending.delete(m.id);
    if (m.type === 'error') p.reject(reviveError(m.error));
    else p.resolve(m);
  });
  worker.addEventListener('error', (e: ErrorEvent) => {
    const err = new PerifatError('E_RUNTIME', `the perifat worker failed: ${e.message}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const call = (m: ToWorker, transfer: Transferable[], control: MeasureCallOptions = {}): Promise<FromWorker> =>
    new Promise((resolve, reject) => {
      const signal = control.signal;
      if (signal?.aborted) return reject(new PerifatError('E_ABORTED', 'measurement cancelled'));
      signal?.addEventListener('abort', () => worker.postMessage({ id: m.id, type: 'abort' } satisfies ToWorker), {
        once: true,
      });
      pending.set(m.id, { resolve, reject, ...(control.onProgress ? { onProgress: control.onProgress } : {}) });
      worker.postMessage(m, transfer);
    });
  const ready = await call({ id: next++, type: 'init', backend: opts.backend ?? 'auto' }, []);
  if (ready.type !== 'ready') throw new PerifatError('E_RUNTIME', 'the perifat worker did not start');
  const crossing = (options: MeasureCallOptions): WorkerMeasureOptions => {
    const { signal: _s, onProgress: _p, ...rest } = options;
    return rest;
  };
  const reportOf = (m: FromWorker): Report => {
    if (m.type !== 'report') throw new PerifatError('E_RUNTIME', `unexpected worker reply ${m.type}`);
    return m.report;
  };
  const detailedOf = (m: FromWorker): DetailedResult => {
    if (m.type !== 'detailed') throw new PerifatError('E_RUNTIME', `unexpected worker reply ${m.type}`);
    return { report: m.report, layers: m.layers, input: m.input };
  };
  const transferOf = (request: MeasureRequest): Transferable[] => volumeBuffers(request);
  return {
    backend: ready.backend,
    async measure(request, options = {}) {
      const m = { id: next++, type: 'measure', request, options: crossing(options) } as const;
      return reportOf(await call(m, transferOf(request), options));
    },
    async measureFiles(files, options = {}) {
      return reportOf(await call({ id: next++, type: 'measureFiles', files, options: crossing(options) }, [], options));
    },
    async measureDetailed(request, options = {}) {
      const m = { id: next++, type: 'measure', request, options: crossing(options), detailed: true } as const;
      return detailedOf(await call(m, transferOf(request), options));
    },
    async measureFilesDetailed(files, options = {}) {
      const m = { id: next++, type: 'measureFiles', files, options: crossing(options), detailed: true } as const;
      return detailedOf(await call(m, [], options));
    },
    async centerlines(request, options = {}) {
      // Not transferred: the page keeps the CT it shows and traces on.
      const m = await call({ id: next++, type: 'centerlines', request }, [], options);
      if (m.type !== 'centerlines') throw new PerifatError('E_RUNTIME', `unexpected worker reply ${m.type}`);
      return m.centerlines;
    },
    destroy() {
      worker.postMessage({ id: next++, type: 'destroy' } satisfies ToWorker);
      worker.terminate();
    },
  };
}
