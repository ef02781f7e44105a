/**
 * The float64 pericoronary classification shared among Node worker threads and the main thread:
 * the crop's cell slices are cut into block-aligned shares dealt round-robin (far slices are cheap,
 * so interleaving keeps the threads even); each share builds its own piece of the index and labels
 * its slices (src/shells/classify.ts), and the main thread stitches the layers together.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { PerifatError } from '../../errors';
import { untilAborted, step } from '../../measure/control';
import { cellGrid } from '../../shells/candidates';
import type { ClassifyJob, ClassifyShare } from '../../shells/classify';
import {
  type CropClassifier,
  SHARE_CELLS,
  classifySliced,
  guardInputs,
  shareWork,
  stitchShares,
} from '../../backends/cpu/pericoronary';
import { ShellWorkerPool, startShellWorker } from './worker-pool';

/** Below this many crop voxels a second thread costs more than it saves. */
const MIN_PARALLEL_VOXELS = 2_000_000;

/** Threads to use: one per core (the main thread is one of them). */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

function runOn(worker: Worker, jobs: ClassifyJob[]): Promise<ClassifyShare[]> {
  return new Promise((resolve, reject) => {
    // Both listeners go on either answer: a pooled worker serves the next classification.
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (m: { shares?: ClassifyShare[]; error?: string }) => {
      done();
      if (m.shares) resolve(m.shares);
      else reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${m.error ?? 'no answer'}`));
    };
    const onError = (e: Error) => {
      done();
      reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${e.message}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(jobs);
  });
}

/** Where a classification's threads come from: a pool kept warm, or started for it and ended after. */
interface Lender {
  acquire(n: number): Promise<Worker[]>;
  /** `clean`: the worker answered and may serve again. */
  giveBack(w: Worker, clean: boolean): Promise<void>;
}

function lenderOf(pool: ShellWorkerPool | undefined): Lender {
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
   * exceed the pool's size (+ 1 for the main thread's share, unless offMainThread).
   */
  readonly pool?: ShellWorkerPool;
  /**
   * Run the main thread's share on a worker too, leaving the main thread free: a batch measuring
   * cases side by side on one pool reads, plans and writes there while the workers classify.
   */
  readonly offMainThread?: boolean;
}

/**
 * A classifier over `threads` threads (the main thread included); crops under `minVoxels` stay on
 * the main thread.
 */
export function workerClassifier(
  threads = defaultThreads(),
  minVoxels = MIN_PARALLEL_VOXELS,
  opts: WorkerClassifierOptions = {},
): CropClassifier {
  const lender = lenderOf(opts.pool);
  return async (plan, hu, control) => {
    const gz = cellGrid(plan).counts[2];
    const useThreads = plan.cropVoxels < minVoxels ? 1 : Math.max(1, Math.min(threads, Math.ceil(gz / SHARE_CELLS)));
    const guard = guardInputs(plan, hu);
    const jobs: ClassifyJob[][] = Array.from({ length: useThreads }, () => []);
    for (let c = 0, q = 0; c < gz; c += SHARE_CELLS, q++) {
      (jobs[q % useThreads] as ClassifyJob[]).push({ plan, zCells: [c, Math.min(gz, c + SHARE_CELLS)], guard });
    }
    const onWorkers = opts.offMainThread ? jobs : jobs.slice(1);
    const workers = await lender.acquire(onWorkers.length);
    let clean = false;
    try {
      const pending = workers.map((w, i) => runOn(w, onWorkers[i] as ClassifyJob[]));
      // The main thread's share in slices (a cancel is seen between them); the workers' results
      // raced against the signal, so a cancel need not wait for them (they are terminated below).
      const mine = opts.offMainThread ? [] : await classifySliced(plan, jobs[0] as ClassifyJob[], control);
      const shares = [...mine, ...(await untilAborted(Promise.all(pending), control)).flat()];
      clean = true;
      step(control, 'pericoronary.classify', 1);
      return {
        layers: stitchShares(plan, shares),
        evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
        candidates: shares.reduce((a, s) => a + s.candidates, 0),
        workers: useThreads,
        work: shareWork(plan, shares),
      };
    } finally {
      await Promise.all(workers.map((w) => lender.giveBack(w, clean)));
    }
  };
}
