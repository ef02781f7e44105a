/**
 * Cancellation and progress of one measurement, passed from the caller (the API's `signal` and
 * `onProgress`) down to the backends, which check between dispatches or shares of work.
 */
import { PerifatError } from '../errors';

export interface MeasureProgress {
  /** 'read', 'eat', 'pericoronary.plan', 'pericoronary.shells', 'pericoronary.stats', 'report', … */
  readonly stage: string;
  /** Of the whole measurement, 0…1. */
  readonly fraction: number;
}

export interface MeasureControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: MeasureProgress) => void;
}

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
export function step(control: MeasureControl | undefined, stage: string, fraction: number): void {
  checkAborted(control);
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
