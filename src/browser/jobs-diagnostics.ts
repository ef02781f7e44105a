/**
 * Self-checks of error surfacing, run by the GPU suite: a validation error, a WGSL compile error
 * and a lost device must each come back as the right typed error, never be swallowed; and a
 * disposed backend must leave the device it was handed working.
 */
import { PerifatError } from '../errors';
import { acquireGpu } from '../host/device';
import { withErrorScopes } from '../host/error-scope';
import { getPipeline } from '../host/pipeline-cache';
import { GpuBackend } from '../host/gpu-backend';
import { gpu } from './jobs';

async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'no error';
  } catch (e) {
    return e instanceof PerifatError ? e.code : `untyped: ${String(e)}`;
  }
}

export async function errorSurfacing(): Promise<Record<string, string>> {
  const ctx = await gpu();
  const validation = await codeOf(() =>
    withErrorScopes(ctx, 'bad buffer', () => {
      // MAP_READ may only be combined with COPY_DST: a validation error.
      ctx.device.createBuffer({
        label: 'perifat:invalid',
        size: 16,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE,
      });
    }),
  );
  const shader = await codeOf(() =>
    getPipeline(ctx, {
      name: 'broken',
      code: '@compute @workgroup_size(1) fn main() { let x: u32 = -1.5; }',
      entryPoint: 'main',
    }),
  );
  // A backend on the page's device, disposed: the device it was handed must still work.
  const backend = new GpuBackend(ctx);
  backend.huVolume([4, 4, 4], new Int16Array(64));
  backend.dispose();
  const handedContext = await codeOf(() =>
    withErrorScopes(ctx, 'after dispose', () => {
      ctx.device.createBuffer({ label: 'perifat:probe', size: 16, usage: GPUBufferUsage.STORAGE }).destroy();
    }),
  );
  // A device of its own, destroyed: the next scoped call must report the loss.
  const own = await acquireGpu();
  own.device.destroy();
  await own.device.lost;
  const lost = await codeOf(() => withErrorScopes(own, 'after loss', () => undefined));
  return { validation, shader, lost, handedContext };
}
