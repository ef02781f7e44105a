/**
 * Runs GPU work inside validation / out-of-memory / internal error scopes and turns whatever
 * they caught into a typed PerifatError: GPU errors are surfaced, never swallowed.
 */
import { PerifatError } from '../errors';
import type { GpuContext } from './device';

export async function withErrorScopes<T>(ctx: GpuContext, label: string, work: () => T | Promise<T>): Promise<T> {
  const { device } = ctx;
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let thrown: unknown;
  let failed = false;
  try {
    result = await work();
  } catch (e) {
    thrown = e;
    failed = true;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const internal = await device.popErrorScope();
  ctx.assertAlive();
  if (failed) throw thrown;
  if (oom) {
    throw new PerifatError('E_GPU_OUT_OF_MEMORY', `${label}: the GPU ran out of memory (${oom.message})`);
  }
  if (validation) throw new PerifatError('E_GPU_VALIDATION', `${label}: ${validation.message}`);
  if (internal) throw new PerifatError('E_GPU_INTERNAL', `${label}: ${internal.message}`);
  return result as T;
}
