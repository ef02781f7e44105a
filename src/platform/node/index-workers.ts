/**
 * The live candidate index of a WebGPU measurement (src/shells/index-shares.ts) built over Node
 * worker threads and the main thread: on a GPU the kernels take milliseconds and the host's index,
 * one thread building it, most of the pericoronary stage. Shares (rows of index blocks along z)
 * go one at a time to whichever thread is free; their lists are merged into the index one thread
 * would build, bit for bit. The threads are the CPU classification's (shell-worker.ts): from a
 * pool kept warm, or started for the build and ended after it.
 */
import type { Worker } from 'node:worker_threads';
import { checkAborted } from '../../measure/control';
import type { Candidates } from '../../shells/candidates';
import {
  type IndexBuilder,
  type IndexShare,
  buildIndexShare,
  indexShareRanges,
  mergeIndexShares,
} from '../../shells/index-shares';
import type { ShellPlan } from '../../shells/plan';
import type { ShellWorkerMessage } from './shell-worker';
import { MIN_PARALLEL_VOXELS, askWorker, defaultThreads, lenderOf } from './shell-workers';
import type { ShellWorkerPool } from './worker-pool';

function aborted(signal: AbortSignal | undefined): void {
  checkAborted(signal ? { signal } : undefined);
}

/** One share of the index on a worker. */
function runIndexShare(worker: Worker, zCells: readonly [number, number]): Promise<IndexShare> {
  return askWorker(worker, { indexShare: zCells }, 'index worker', (m) => m.index);
}

/**
 * An index builder over `threads` threads, the main thread one of them unless offMainThread; crops
 * under `minVoxels` (and single-share crops) take one thread.
 */
export function workerIndexBuilder(
  threads = defaultThreads(),
  opts: {
    readonly pool?: ShellWorkerPool;
    readonly minVoxels?: number;
    /** Every share on a worker, the main thread left free (`threads` workers). */
    readonly offMainThread?: boolean;
  } = {},
): IndexBuilder {
  const lender = lenderOf(opts.pool);
  const minVoxels = opts.minVoxels ?? MIN_PARALLEL_VOXELS;
  const onMain = opts.offMainThread !== true;
  return async (plan: ShellPlan, signal?: AbortSignal): Promise<Candidates> => {
    const queue = indexShareRanges(plan);
    const useThreads = plan.cropVoxels < minVoxels ? 1 : Math.max(1, Math.min(threads, queue.length));
    const workers = await lender.acquire(onMain ? useThreads - 1 : useThreads);
    const shares: IndexShare[] = [];
    let next = 0;
    let clean = false;
    try {
      const drive = async (w: Worker) => {
        w.postMessage({ indexOf: plan } satisfies ShellWorkerMessage);
        while (next < queue.length) {
          const share = await runIndexShare(w, queue[next++] as [number, number]);
          aborted(signal);
          shares.push(share);
        }
      };
      const pending = Promise.all(workers.map(drive));
      // Seen by the caller even if the main thread's own loop ends first with an error.
      pending.catch(() => undefined);
      while (onMain && next < queue.length) {
        aborted(signal);
        shares.push(buildIndexShare(plan, queue[next++] as [number, number]));
        // Let the workers' answers in between the main thread's shares.
        await new Promise<void>((r) => setImmediate(r));
      }
      await pending;
      aborted(signal);
      clean = true;
      return mergeIndexShares(plan, shares);
    } finally {
      await Promise.all(
        workers.map((w) => {
          if (clean) w.postMessage({ release: true } satisfies ShellWorkerMessage);
          return lender.giveBack(w, clean);
        }),
      );
    }
  };
}
