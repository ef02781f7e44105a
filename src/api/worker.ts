/**
 * The perifat worker (the package's `perifat/worker` entry): an Engine in a dedicated worker, so a
 * page never blocks on reading or measuring. Import it from a worker module of your app:
 *
 *   // perifat-worker.js
 *   import 'perifat/worker';
 *   // page
 *   const engine = await createWorkerEngine(new Worker(new URL('./perifat-worker.js', import.meta.url), { type: 'module' }));
 */
import { PerifatError } from '../errors';
import type { MeasureProgress } from '../measure/control';
import { readCt, readMask, readVessels } from '../io/index';
import { type Engine, type MeasureRequest, createEngine } from './engine';
import type { FileRequest, FromWorker, ToWorker } from './worker-protocol';
import { volumeBuffers } from './worker-volumes';

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<ToWorker>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
/** The engine, once 'init' has asked for it: later messages wait for it rather than racing it. */
let engine: Promise<Engine> | null = null;
const running = new Map<number, AbortController>();

function post(m: FromWorker): void {
  scope.postMessage(m);
}

function fail(id: number, e: unknown): void {
  const err = e instanceof PerifatError ? e : new PerifatError('E_RUNTIME', e instanceof Error ? e.message : String(e));
  post({ id, type: 'error', error: err.toJSON() });
}

/**
 * The volumes of a file request, read here: the masks onto the CT's grid (the pericardium resampled
 * nearest-neighbour where its grid differs; a coronary or aorta mask must be on the CT grid exactly,
 * as `perifat measure` reads them).
 */
async function readRequest(files: FileRequest): Promise<MeasureRequest> {
  const ct = await readCt(files.ct);
  const onGrid = (file: FileRequest['coronaryMask'], name: string) =>
    file ? readMask(file, ct, { resample: false, name }) : Promise.resolve(null);
  return {
    ct,
    pericardium: files.pericardium ? await readMask(files.pericardium, ct) : null,
    vessels: files.vessels ? await readVessels(files.vessels, { ct }) : null,
    coronaryMask: await onGrid(files.coronaryMask, 'coronary'),
    aorta: await onGrid(files.aorta, 'aorta'),
    ...(files.coronaryLabels ? { coronaryLabels: files.coronaryLabels } : {}),
    ...(files.trace?.length ? { trace: files.trace } : {}),
  };
}

async function initialised(): Promise<Engine> {
  if (!engine) throw new PerifatError('E_RUNTIME', 'the worker engine is not initialised');
  return engine;
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      engine ??= createEngine({ backend: m.backend, runtime: 'browser' });
      post({ id: m.id, type: 'ready', backend: (await engine).backend });
      return;
    case 'abort':
      running.get(m.id)?.abort(new PerifatError('E_ABORTED', 'cancelled by the page'));
      return;
    case 'destroy':
      if (engine) (await engine).destroy();
      engine = null;
      return;
    case 'centerlines': {
      const e = await initialised();
      const ac = new AbortController();
      running.set(m.id, ac);
      try {
        post({
          id: m.id,
          type: 'centerlines',
          centerlines: await e.centerlines(m.request, { signal: ac.signal }),
        });
      } finally {
        running.delete(m.id);
      }
      return;
    }
    case 'measure':
    case 'measureFiles': {
      const e = await initialised();
      const ac = new AbortController();
      running.set(m.id, ac);
      try {
        const control = {
          signal: ac.signal,
          onProgress: (progress: MeasureProgress) => post({ id: m.id, type: 'progress', progress }),
        };
        let request = m.type === 'measure' ? m.request : null;
        if (m.type === 'measureFiles') {
          control.onProgress({ stage: 'read', fraction: 0 });
          request = await readRequest(m.files);
        }
        const input = request as NonNullable<typeof request>;
        if (!m.detailed) {
          post({ id: m.id, type: 'report', report: await e.measure(input, { ...m.options, ...control }) });
          return;
        }
        const { report, layers } = await e.measureDetailed(input, { ...m.options, ...control });
        // The volumes and layers go back to the page without a copy.
        const buffers = new Set<ArrayBuffer>(volumeBuffers(input));
        if (layers) {
          for (const l of [layers.layers.voi, layers.layers.rings, ...layers.layers.lesions])
            buffers.add(l.buffer as ArrayBuffer);
        }
        scope.postMessage({ id: m.id, type: 'detailed', report, layers, input }, [...buffers]);
      } finally {
        running.delete(m.id);
      }
    }
  }
}

scope.addEventListener('message', (e) => {
  handle(e.data).catch((err: unknown) => fail(e.data.id, err));
});
