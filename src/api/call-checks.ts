/**
 * The engine's own options checked as a web app hands them in: unknown keys and values of the
 * wrong type are E_OPTIONS naming the option (the measurement's options are checked by
 * src/measure/option-checks.ts, with these keys allowed beside them).
 */
import { PerifatError } from '../errors';

/** Keys of MeasureCallOptions that are the engine's, not the measurement's. */
export const CALL_KEYS = ['signal', 'onProgress', 'wantLayers', 'transfer'] as const;

const BACKENDS = ['webgpu', 'cpu', 'auto'];

function bad(name: string, what: string): never {
  throw new PerifatError('E_OPTIONS', `option ${name}: ${what}`);
}

/** Options of createEngine / createWorkerEngine: only `known` keys; `backend` one of the three. */
export function checkEngineOptions(o: unknown, known: readonly string[]): void {
  if (o === undefined) return;
  if (typeof o !== 'object' || o === null) bad('options', 'must be an object');
  for (const k of Object.keys(o)) if (!known.includes(k)) bad(k, `unknown option; known: ${known.join(', ')}`);
  const backend = (o as { backend?: unknown }).backend;
  if (backend !== undefined && !BACKENDS.includes(backend as string))
    bad('backend', `must be ${BACKENDS.join(' | ')}, got ${JSON.stringify(backend)}`);
}

/** The engine's keys of one call's options (the rest are the measurement's). */
export function checkCallOptions(o: unknown): void {
  if (o === undefined) return;
  if (typeof o !== 'object' || o === null) bad('options', 'must be an object');
  const c = o as Record<string, unknown>;
  const signal = c['signal'];
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal))
    bad('signal', 'must be an AbortSignal');
  if (c['onProgress'] !== undefined && typeof c['onProgress'] !== 'function') bad('onProgress', 'must be a function');
  for (const k of ['wantLayers', 'transfer'])
    if (c[k] !== undefined && typeof c[k] !== 'boolean') bad(k, `must be true or false, got ${JSON.stringify(c[k])}`);
}
