/**
 * The float64 pericoronary classification shared among Node worker threads and the main thread:
 * the crop's cell slices are cut into block-aligned shares dealt round-robin (far slices are cheap,
 * so interleaving keeps the threads even); each share builds its own piece of the index and labels
 * its slices (src/shells/classify.ts), and the main thread stitches the layers together.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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

/** Below this many crop voxels a second thread costs more than it saves. */
const MIN_PARALLEL_VOXELS = 2_000_000;

/** Threads to use: one per core (the main thread is one of them). */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Starts a worker on shell-worker (through tsx when running from TypeScript sources). */
function startWorker(): Worker {
  const url = new URL(`./shell-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(url);
}

function runOn(worker: Worker, jobs: ClassifyJob[]): Promise<ClassifyShare[]> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { shares?: ClassifyShare[]; error?: string }) => {
      if (m.shares) resolve(m.shares);
      else reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${m.error ?? 'no answer'}`));
    });
    worker.once('error', (e) => reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${e.message}`)));
    worker.postMessage(jobs);
  });
}

/**
 * A classifier over `threads` threads (the main thread included); crops under `minVoxels` stay on
 * the main thread.
 */
export function workerClassifier(threads = defaultThreads(), minVoxels = MIN_PARALLEL_VOXELS): CropClassifier {
  return async (plan, hu, control) => {
    const gz = cellGrid(plan).counts[2];
    const useThreads = plan.cropVoxels < minVoxels ? 1 : Math.max(1, Math.min(threads, Math.ceil(gz / SHARE_CELLS)));
    const guard = guardInputs(plan, hu);
    const jobs: ClassifyJob[][] = Array.from({ length: useThreads }, () => []);
    for (let c = 0, q = 0; c < gz; c += SHARE_CELLS, q++) {
      (jobs[q % useThreads] as ClassifyJob[]).push({ plan, zCells: [c, Math.min(gz, c + SHARE_CELLS)], guard });
    }
    const workers = jobs.slice(1).map(() => startWorker());
    try {
      const pending = workers.map((w, i) => runOn(w, jobs[i + 1] as ClassifyJob[]));
      // The main thread's share in slices (a cancel is seen between them); the workers' results
      // raced against the signal, so a cancel need not wait for them (they are terminated below).
      const mine = await classifySliced(plan, jobs[0] as ClassifyJob[], control);
      const shares = [...mine, ...(await untilAborted(Promise.all(pending), control)).flat()];
      step(control, 'pericoronary.classify', 1);
      return {
        layers: stitchShares(plan, shares),
        evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
        candidates: shares.reduce((a, s) => a + s.candidates, 0),
        workers: useThreads,
        work: shareWork(plan, shares),
      };
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}
