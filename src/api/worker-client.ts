/**
 * The page side of the perifat worker: an Engine whose work runs in a dedicated worker.
 *
 * Volumes: measure() and measureDetailed() transfer the request's buffers to the worker by default
 * (no copy; the caller's arrays are detached afterwards, and measureDetailed's `input` holds them
 * again); `transfer: false` copies instead, so the caller's volumes stay usable. A detached volume
 * handed in again is E_OPTIONS saying so, never a raw DataCloneError. centerlines() copies; files
 * sent to measureFiles() are read in the worker.
 *
 * Lifecycle: a cancelled call rejects with E_ABORTED at once (the worker is told to stop; given a
 * factory, a worker that has not stopped within RESTART_AFTER_MS is terminated and a fresh one
 * started); after destroy(), and after the worker failed to load or crashed, every call rejects
 * at once with a typed error.
 */
import { PerifatError, reviveError } from '../errors';
import type { MeasureProgress } from '../measure/control';
import type { MeasureLayers } from '../measure/measure';
import type { BackendInfo, Report } from '../measure/report-types';
import type { DerivedCenterlines } from '../centerlines/types';
import { checkCallOptions, checkEngineOptions } from './call-checks';
import type { CenterlinesRequest, MeasureCallOptions, MeasureRequest } from './engine';
import { type FileRequest, type FromWorker, type ToWorker, type WorkerMeasureOptions } from './worker-protocol';
import { detachedVolume, volumeBuffers } from './worker-volumes';

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
  /** Ends the worker (and every GPU object in it); calls pending or later reject with E_RUNTIME. */
  destroy(): void;
}

export interface WorkerEngineOptions {
  readonly backend?: 'webgpu' | 'cpu' | 'auto';
}

/** How long an aborted job may keep the worker busy before a factory-made worker is replaced. */
export const RESTART_AFTER_MS = 250;

interface Pending {
  resolve(r: FromWorker): void;
  reject(e: PerifatError): void;
  onProgress?: (p: MeasureProgress) => void;
}

const aborted = () => new PerifatError('E_ABORTED', 'measurement cancelled');

/** What a worker's `error` event says; a script that failed to load gives a bare Event. */
function workerFailure(e: Event): PerifatError {
  const message = (e as ErrorEvent).message;
  return new PerifatError(
    'E_RUNTIME',
    typeof message === 'string' && message !== ''
      ? `the perifat worker failed: ${message}`
      : 'the perifat worker could not be loaded or crashed (check the worker URL, that it is served as ' +
          "JavaScript with { type: 'module' }, and the page's CSP worker-src)",
  );
}

/**
 * An engine in a worker. Pass the Worker, or a function making one: then perifat can replace a
 * worker stuck in an aborted job with a fresh one.
 */
export async function createWorkerEngine(
  workerOrFactory: Worker | (() => Worker),
  opts: WorkerEngineOptions = {},
): Promise<WorkerEngine> {
  checkEngineOptions(opts, ['backend']);
  const factory = typeof workerOrFactory === 'function' ? workerOrFactory : null;
  let worker: Worker = typeof workerOrFactory === 'function' ? workerOrFactory() : workerOrFactory;
  let next = 1;
  let dead: PerifatError | null = null;
  const pending = new Map<number, Pending>();
  const failAll = (err: PerifatError) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const attach = (w: Worker) => {
    w.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      if (w !== worker) return;
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
    w.addEventListener('error', (e: Event) => {
      if (w !== worker) return;
      dead = workerFailure(e);
      failAll(dead);
    });
    w.addEventListener('messageerror', () => {
      if (w !== worker) return;
      failAll(new PerifatError('E_RUNTIME', 'a message from the perifat worker could not be deserialised'));
    });
  };
  attach(worker);

  let backendChoice: ToWorker & { type: 'init' } = { id: 0, type: 'init', backend: opts.backend ?? 'auto' };
  /** Replace a worker that is still busy with an aborted job (only with a factory). */
  const restart = () => {
    if (!factory || dead) return;
    worker.terminate();
    worker = factory();
    attach(worker);
    backendChoice = { ...backendChoice, id: next++ };
    // Re-initialise in the background; the next call queues behind it in the worker.
    worker.postMessage(backendChoice);
  };
  const busy = new Set<number>();

  const call = (m: ToWorker, transfer: Transferable[], control: MeasureCallOptions = {}): Promise<FromWorker> =>
    new Promise((resolve, reject) => {
      if (dead) return reject(dead);
      const signal = control.signal;
      if (signal?.aborted) return reject(aborted());
      const onAbort = () => {
        if (!pending.delete(m.id)) return;
        reject(aborted());
        worker.postMessage({ id: m.id, type: 'abort' } satisfies ToWorker);
        // A job between checks of its signal may hold the worker a while: replace it if we can.
        const mine = worker;
        setTimeout(() => {
          if (worker === mine && busy.has(m.id)) restart();
        }, RESTART_AFTER_MS);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        busy.delete(m.id);
        signal?.removeEventListener('abort', onAbort);
      };
      pending.set(m.id, {
        resolve: (r) => (settle(), resolve(r)),
        reject: (e) => (settle(), reject(e)),
        ...(control.onProgress ? { onProgress: control.onProgress } : {}),
      });
      busy.add(m.id);
      try {
        worker.postMessage(m, transfer);
      } catch (e) {
        pending.delete(m.id);
        settle();
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        reject(new PerifatError('E_OPTIONS', `the request cannot be sent to the perifat worker (${why})`));
      }
    });

  const ready = await call({ ...backendChoice, id: next++ }, []);
  if (ready.type !== 'ready') throw new PerifatError('E_RUNTIME', 'the perifat worker did not start');
  const crossing = (options: MeasureCallOptions): WorkerMeasureOptions => {
    checkCallOptions(options);
    const { signal: _s, onProgress: _p, transfer: _t, ...rest } = options;
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
  /** The buffers to transfer (none with `transfer: false`), after refusing a detached volume. */
  const transferOf = (request: MeasureRequest, options: MeasureCallOptions): Transferable[] => {
    const which = detachedVolume(request);
    if (which) {
      throw new PerifatError(
        'E_OPTIONS',
        `the ${which} volume's buffer is detached: an earlier call transferred it to the perifat worker. ` +
          "Measure with { transfer: false } to keep the caller's volumes, or use measureDetailed's `input`, " +
          'which holds them again',
      );
    }
    return options.transfer === false ? [] : volumeBuffers(request);
  };
  return {
    backend: ready.backend,
    async measure(request, options = {}) {
      const m = { id: next++, type: 'measure', request, options: crossing(options) } as const;
      return reportOf(await call(m, transferOf(request, options), options));
    },
    async measureFiles(files, options = {}) {
      return reportOf(await call({ id: next++, type: 'measureFiles', files, options: crossing(options) }, [], options));
    },
    async measureDetailed(request, options = {}) {
      const m = { id: next++, type: 'measure', request, options: crossing(options), detailed: true } as const;
      return detailedOf(await call(m, transferOf(request, options), options));
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
      if (dead) return;
      dead = new PerifatError('E_RUNTIME', 'this perifat worker engine was destroyed');
      failAll(dead);
      worker.postMessage({ id: next++, type: 'destroy' } satisfies ToWorker);
      worker.terminate();
    },
  };
}
