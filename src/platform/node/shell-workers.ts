/**
 * The float64 pericoronary classification shared among Node worker threads and the main thread:
 * the crop's cell slices are cut into block-aligned shares, taken one at a time from one queue by
 * every thread (live cells crowd where the vessels are, so a fixed deal would leave a thread idle);
 * each share builds its own piece of the index and writes the labels of its slices straight into
 * the crop's layers, which live on SharedArrayBuffers (src/shells/classify.ts): nothing is copied
 * back or stitched, only a layer a share had to add is merged.
 *
 * Threads come from a ShellWorkerPool (worker-pool.ts) when the caller keeps one (a session starts
 * it while the inputs are read; a batch shares one among its lanes), or are started for the
 * classification and ended after it. A worker left busy by a cancel, or that failed, is ended.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { PerifatError } from '../../errors';
import { type MeasureControl, checkAborted, step, untilAborted } from '../../measure/control';
import { cellGrid } from '../../shells/candidates';
import type { ClassifyJob, ClassifyShare } from '../../shells/classify';
import type { ShellPlan } from '../../shells/plan';
import {
  type CropClassifier,
  SHARE_CELLS,
  classifyShareSliced,
  guardInputs,
  shareSlices,
  shareWork,
  innerOf,
  sharedInt16,
  sumCounts,
} from '../../backends/cpu/pericoronary';
import { type LabelLayers, emptyLayers, mergeAdded } from '../../shells/layers';
import type { SharedShare, ShellWorkerMessage } from './shell-worker';
import type { IndexShare } from '../../shells/index-shares';
import { type ShellWorkerPool, startShellWorker } from './worker-pool';

/** Below this many crop voxels a second thread costs more than it saves. */
export const MIN_PARALLEL_VOXELS = 2_000_000;

/** `a` on a SharedArrayBuffer (read by every worker without a copy each): itself, or a copy. */
function shared(a: Int16Array): Int16Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = sharedInt16(a.length);
  out.set(a);
  return out;
}

/** Threads to use: one per core (the main thread is one of them). */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A worker's answer: what was asked for, or why it failed. */
export interface WorkerAnswer {
  readonly share?: SharedShare;
  readonly index?: IndexShare;
  readonly error?: string;
}

/**
 * One request to a worker and its answer, `pick` taking what was asked for from it (both listeners
 * removed on either answer: a pooled worker serves again). `who` names the work in the error.
 */
export function askWorker<T>(
  worker: Worker,
  message: ShellWorkerMessage,
  who: string,
  pick: (m: WorkerAnswer) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (m: WorkerAnswer) => {
      done();
      const got = pick(m);
      if (got !== undefined) resolve(got);
      else reject(new PerifatError('E_RUNTIME', `${who} failed: ${m.error ?? 'no answer'}`));
    };
    const onError = (e: Error) => {
      done();
      reject(new PerifatError('E_RUNTIME', `${who} failed: ${e.message}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(message);
  });
}

/** One share of the classification on a worker. */
function runShare(worker: Worker, zCells: readonly [number, number]): Promise<SharedShare> {
  return askWorker(worker, { zCells }, 'pericoronary worker', (m) => m.share);
}

/** Where a classification's threads come from: a pool kept warm, or started for it and ended after. */
export interface Lender {
  acquire(n: number): Promise<Worker[]>;
  /** `clean`: the worker answered and may serve again. */
  giveBack(w: Worker, clean: boolean): Promise<void>;
}

export function lenderOf(pool: ShellWorkerPool | undefined): Lender {
  if (pool)
    return {
      acquire: (n) => (n === 0 ? Promise.resolve([]) : pool.acquire(n)),
      giveBack: (w, clean) => (clean ? Promise.resolve(pool.release(w)) : pool.discard(w)),
    };
  return {
    acquire: (n) => Promise.resolve(Array.from({ length: n }, startShellWorker)),
    giveBack: async (w) => {
      await w.terminate();
    },
  };
}

export interface WorkerClassifierOptions {
  /**
   * Threads kept warm (worker-pool.ts) instead of started per classification; `threads` must not
   * exceed the pool's size (+ 1 for the main thread, unless offMainThread).
   */
  readonly pool?: ShellWorkerPool;
  /**
   * Every share on a worker, the main thread left free: a batch measuring cases side by side on
   * one pool reads, plans and writes there while the workers classify.
   */
  readonly offMainThread?: boolean;
}

/**
 * A classifier over `threads` threads (the main thread included unless offMainThread); crops under
 * `minVoxels` stay on one thread.
 */
export function workerClassifier(
  threads = defaultThreads(),
  minVoxels = MIN_PARALLEL_VOXELS,
  opts: WorkerClassifierOptions = {},
): CropClassifier {
  const lender = lenderOf(opts.pool);
  return async (plan, hu, control, window) => {
    const gz = cellGrid(plan).counts[2];
    const useThreads = plan.cropVoxels < minVoxels ? 1 : Math.max(1, Math.min(threads, Math.ceil(gz / SHARE_CELLS)));
    const guard = guardInputs(plan, hu);
    const queue: [number, number][] = [];
    for (let c = 0; c < gz; c += SHARE_CELLS) queue.push([c, Math.min(gz, c + SHARE_CELLS)]);
    const onMain = !opts.offMainThread;
    const workers = await lender.acquire(onMain ? useThreads - 1 : useThreads);
    // One set of whole-crop layers that every thread writes its own slices of: shared memory when
    // workers take part, so that nothing is copied or stitched afterwards.
    const layers = emptyLayers(
      plan,
      plan.cropVoxels,
      workers.length > 0 ? (n) => new Uint8Array(new SharedArrayBuffer(n)) : undefined,
    );
    // The crop's HU for counting fat as labels are placed, shared with the workers (the CPU backend
    // plans it on shared memory already).
    const count = window ? { hu: workers.length > 0 ? shared(hu) : hu, window } : undefined;
    let clean = false;
    try {
      const shares = await shareOut(
        plan,
        { guard, into: layers, ...(count ? { count } : {}) },
        queue,
        workers,
        onMain,
        control,
      );
      clean = true;
      step(control, 'pericoronary.classify', 1);
      return {
        layers,
        counts: sumCounts(plan, shares, window),
        evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
        candidates: shares.reduce((a, s) => a + s.candidates, 0),
        workers: useThreads,
        work: shareWork(plan, shares),
        inner: innerOf(shares),
      };
    } finally {
      await Promise.all(
        workers.map((w) => {
          // Its copy of the plan and guard goes with this classification.
          if (clean) w.postMessage({ release: true } satisfies ShellWorkerMessage);
          return lender.giveBack(w, clean);
        }),
      );
    }
  };
}

/**
 * Every share of `queue` classified, each by whichever thread is free first: the workers through
 * messages, the main thread (when `onMain`) in steps with a slice() between them (progress,
 * cancellation).
 */
async function shareOut(
  plan: ShellPlan,
  inputs: Omit<ClassifyJob, 'plan' | 'zCells'> & { readonly into: LabelLayers },
  queue: readonly [number, number][],
  workers: readonly Worker[],
  onMain: boolean,
  control: MeasureControl | undefined,
): Promise<Omit<ClassifyShare, 'layers'>[]> {
  const total = Math.max(1, plan.cropDims[2]);
  const slice = plan.cropDims[0] * plan.cropDims[1];
  const shares: Omit<ClassifyShare, 'layers'>[] = [];
  let next = 0;
  let done = 0;
  const drive = async (w: Worker) => {
    w.postMessage({ setup: { plan, ...inputs } } satisfies ShellWorkerMessage);
    while (next < queue.length) {
      const z = queue[next++] as [number, number];
      const share = await runShare(w, z);
      // A cancelled classification's layers are dropped: nothing more is written into them.
      checkAborted(control);
      mergeAdded(inputs.into, share.added, share.z0 * slice);
      shares.push(share);
      done += shareSlices(plan, z);
      if (!onMain) step(control, 'pericoronary.classify', done / total);
    }
  };
  // The workers' results raced against the signal, so a cancel need not wait for them.
  const pending = untilAborted(Promise.all(workers.map(drive)), control);
  // Seen by the caller even if the main thread's own loop ends first with an error.
  pending.catch(() => undefined);
  while (onMain && next < queue.length) {
    const z = queue[next++] as [number, number];
    const n = shareSlices(plan, z);
    shares.push(await classifyShareSliced({ plan, zCells: z, ...inputs }, control, (f) => (done + f * n) / total));
    done += n;
  }
  await pending;
  checkAborted(control);
  return shares;
}
