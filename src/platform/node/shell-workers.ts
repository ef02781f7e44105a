/**
 * The float64 pericoronary classification shared among Node worker threads and the main thread:
 * the crop's cell slices are cut into block-aligned shares, taken one at a time from one queue by
 * every thread (live cells crowd where the vessels are, so a fixed deal would leave a thread idle);
 * each share builds its own piece of the index and labels its slices (src/shells/classify.ts), and
 * the main thread stitches the layers together.
 *
 * Workers come from a pool kept for the process: a classifier starts the ones it will need when it
 * is made, so they boot while the measurement's earlier stages run, and a later measurement (a
 * batch, a server) finds them booted and their code compiled. Idle workers do not keep the process
 * alive; a worker whose classification was cancelled or failed is terminated, not pooled.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PerifatError } from '../../errors';
import { type MeasureControl, checkAborted, slice, step, untilAborted } from '../../measure/control';
import { cellGrid } from '../../shells/candidates';
import { type ClassifyJob, type ClassifyShare, classifyShareSteps } from '../../shells/classify';
import type { ShellPlan } from '../../shells/plan';
import { type CropClassifier, SHARE_CELLS, guardInputs, stitchShares } from '../../backends/cpu/pericoronary';
import type { ShellWorkerMessage } from './shell-worker';

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

/** Booted (or booting) workers not in use. */
const idle: Worker[] = [];

/** A worker for the pool: unreferenced while idle, dropped from it if it dies. */
function poolWorker(): Worker {
  const w = startWorker();
  w.unref();
  const drop = () => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
  };
  w.on('error', drop);
  w.on('exit', drop);
  return w;
}

/** Makes sure `n` workers are idle in the pool (starting the missing ones now). */
function warm(n: number): void {
  while (idle.length < n) idle.push(poolWorker());
}

/** `n` workers out of the pool, referenced while they work. */
function takeWorkers(n: number): Worker[] {
  warm(n);
  const out = idle.splice(0, n);
  for (const w of out) w.ref();
  return out;
}

/** One share on a worker. */
function runShare(worker: Worker, zCells: readonly [number, number]): Promise<ClassifyShare> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${e.message}`));
    };
    const onMessage = (m: { share?: ClassifyShare; error?: string }) => {
      worker.off('error', onError);
      if (m.share) resolve(m.share);
      else reject(new PerifatError('E_RUNTIME', `pericoronary worker failed: ${m.error ?? 'no answer'}`));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ zCells } satisfies ShellWorkerMessage);
  });
}

/**
 * A classifier over `threads` threads (the main thread included); crops under `minVoxels` stay on
 * the main thread. Its workers start booting now.
 */
export function workerClassifier(threads = defaultThreads(), minVoxels = MIN_PARALLEL_VOXELS): CropClassifier {
  warm(threads - 1);
  return async (plan, hu, control) => {
    const gz = cellGrid(plan).counts[2];
    const useThreads = plan.cropVoxels < minVoxels ? 1 : Math.max(1, Math.min(threads, Math.ceil(gz / SHARE_CELLS)));
    const guard = guardInputs(plan, hu);
    const queue: [number, number][] = [];
    for (let c = 0; c < gz; c += SHARE_CELLS) queue.push([c, Math.min(gz, c + SHARE_CELLS)]);
    const workers = takeWorkers(useThreads - 1);
    let healthy = false;
    try {
      const shares = await shareOut(plan, guard, queue, workers, control);
      step(control, 'pericoronary.classify', 1);
      healthy = true;
      return {
        layers: stitchShares(plan, shares),
        evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
        candidates: shares.reduce((a, s) => a + s.candidates, 0),
        workers: useThreads,
      };
    } finally {
      // A cancelled or failed classification may leave a worker busy: end it; keep the others.
      for (const w of workers) {
        if (healthy) {
          // Its copy of the plan and guard goes with this classification.
          w.postMessage({ release: true } satisfies ShellWorkerMessage);
          w.unref();
          idle.push(w);
        } else void w.terminate();
      }
    }
  };
}

/**
 * Every share of `queue` classified, each by whichever thread is free first: the workers through
 * messages, the main thread in steps with a slice() between them (progress, cancellation).
 */
async function shareOut(
  plan: ShellPlan,
  guard: ClassifyJob['guard'],
  queue: readonly [number, number][],
  workers: readonly Worker[],
  control: MeasureControl | undefined,
): Promise<ClassifyShare[]> {
  const nz = cellGrid(plan).size[2];
  const slicesOf = (z: readonly [number, number]) =>
    Math.min(plan.cropDims[2], z[1] * nz) - Math.min(plan.cropDims[2], z[0] * nz);
  const total = Math.max(1, plan.cropDims[2]);
  const shares: ClassifyShare[] = [];
  let next = 0;
  let done = 0;
  const drive = async (w: Worker) => {
    w.postMessage({ setup: { plan, guard } } satisfies ShellWorkerMessage);
    while (next < queue.length) {
      const z = queue[next++] as [number, number];
      shares.push(await runShare(w, z));
      done += slicesOf(z);
    }
  };
  // The workers' results raced against the signal, so a cancel need not wait for them.
  const pending = untilAborted(Promise.all(workers.map(drive)), control);
  // Seen by the caller even if the main thread's own loop ends first with an error.
  pending.catch(() => undefined);
  while (next < queue.length) {
    const z = queue[next++] as [number, number];
    const n = slicesOf(z);
    const steps = classifyShareSteps({ plan, zCells: z, guard });
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) {
        shares.push(r.value);
        break;
      }
      await slice(control, 'pericoronary.classify', (done + r.value * n) / total);
    }
    done += n;
  }
  await pending;
  checkAborted(control);
  return shares;
}
