/**
 * Cancellation and progress of one measurement, passed from the caller (the API's `signal` and
 * `onProgress`) down to the backends, which check between dispatches or shares of work.
 *
 * JavaScript sees an abort only when the thread returns to its event loop: CPU work on the calling
 * thread (a page's main thread, a worker, Node) goes in slices (`slice()`), each of which checks
 * the signal, reports progress and yields once the slice has run SLICE_MS. A cancel then answers
 * within one slice, and a page can repaint its progress bar while a measurement runs.
 */
import { PerifatError } from '../errors';

/** Every stage a measurement reports, in order (the GPU path's own between 'plan' and 'stats'). */
export type MeasureStage =
  | 'read'
  | 'prepare'
  | 'eat'
  | 'centerlines'
  | 'pericoronary'
  | 'pericoronary.plan'
  | 'pericoronary.compile'
  | 'pericoronary.classify'
  | 'pericoronary.shells'
  | 'pericoronary.settle'
  | 'pericoronary.labels'
  | 'pericoronary.stats'
  | 'report'
  | 'done';

export interface MeasureProgress {
  readonly stage: MeasureStage;
  /** Of the whole measurement, 0…1. */
  readonly fraction: number;
}

export interface MeasureControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: MeasureProgress) => void;
}

/** Longest run of CPU work between yields to the event loop (ms). */
export const SLICE_MS = 25;

/** Throws E_ABORTED when the signal has fired. */
export function checkAborted(control: MeasureControl | undefined): void {
  if (control?.signal?.aborted) {
    const reason = control.signal.reason;
    throw new PerifatError(
      'E_ABORTED',
      `measurement cancelled${reason instanceof Error ? ` (${reason.message})` : reason ? ` (${String(reason)})` : ''}`,
    );
  }
}

/** Checks for cancellation, then reports `stage` at `fraction` (0…1). */
export function step(control: MeasureControl | undefined, stage: MeasureStage, fraction: number): void {
  checkAborted(control);
  control?.onProgress?.({ stage, fraction: Math.max(0, Math.min(1, fraction)) });
}

/**
 * Reports `stage` at `fraction` without throwing on cancellation: progress from inside a GPU stage,
 * which is not left mid-way (the engine answers its abort; the stage drains). A cancelled
 * measurement reports nothing more.
 */
export function report(control: MeasureControl | undefined, stage: MeasureStage, fraction: number): void {
  if (control?.signal?.aborted) return;
  control?.onProgress?.({ stage, fraction: Math.max(0, Math.min(1, fraction)) });
}

/** A sub-range [from, to) of the overall fraction, for a stage that reports its own progress. */
export function within(control: MeasureControl | undefined, from: number, to: number): MeasureControl | undefined {
  if (!control) return undefined;
  return {
    ...(control.signal ? { signal: control.signal } : {}),
    onProgress: (p) => control.onProgress?.({ stage: p.stage, fraction: from + (to - from) * p.fraction }),
  };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * One turn of the event loop: `scheduler.yield()` where the page has it (keeps the task's
 * priority), else a macrotask via MessageChannel (setTimeout is clamped to 4 ms when nested).
 */
export function yieldToEventLoop(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof s?.yield === 'function') return s.yield();
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

let sliceStart = now();

/**
 * Between two blocks of CPU work: report progress, yield to the event loop when this thread has
 * worked SLICE_MS since it last did, then check the signal (an abort that came in while we yielded
 * is seen here). Cheap when called often: no yield until the slice is used up.
 */
export async function slice(control: MeasureControl | undefined, stage: MeasureStage, fraction: number): Promise<void> {
  step(control, stage, fraction);
  if (now() - sliceStart < SLICE_MS) return;
  await yieldToEventLoop();
  sliceStart = now();
  checkAborted(control);
}

/** `p`, or E_ABORTED as soon as the signal fires (work running elsewhere: a worker, the GPU). */
export function untilAborted<T>(p: Promise<T>, control: MeasureControl | undefined): Promise<T> {
  const signal = control?.signal;
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      try {
        checkAborted(control);
      } catch (e) {
        reject(e);
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs work written as a generator (it yields the fraction done at each pause) to its end, with a
 * slice() at each pause: progress `at(fraction)` of `stage`, a yield every SLICE_MS, cancellation.
 */
export async function sliced<T>(
  steps: Generator<number, T>,
  control: MeasureControl | undefined,
  stage: MeasureStage,
  at: (fraction: number) => number,
): Promise<T> {
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await slice(control, stage, at(r.value));
  }
}
