/**
 * Compute pipelines cached per device: a shader is compiled once per (device, kernel, constants).
 * Compilation messages are checked so a WGSL error names the kernel and the line. Compiles run one
 * at a time per device: error scopes are a per-device stack, so two compiles in flight could each
 * pop the other's error and report it under the wrong kernel's name.
 */
import { PerifatError } from '../errors';
import type { GpuContext } from './device';
import { withErrorScopes } from './error-scope';

export interface KernelSource {
  /** Kernel name, used in labels and errors. */
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
}

const cache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
/** The last compile queued on each device: the next one starts when it has settled. */
const queue = new WeakMap<GPUDevice, Promise<unknown>>();

export function getPipeline(
  ctx: GpuContext,
  kernel: KernelSource,
  constants: Record<string, number> = {},
): Promise<GPUComputePipeline> {
  let perDevice = cache.get(ctx.device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(ctx.device, perDevice);
  }
  const key = `${kernel.name}:${kernel.entryPoint}:${JSON.stringify(constants, Object.keys(constants).sort())}`;
  let p = perDevice.get(key);
  if (!p) {
    const previous = queue.get(ctx.device) ?? Promise.resolve();
    p = previous.then(
      () => compile(ctx, kernel, constants),
      () => compile(ctx, kernel, constants),
    );
    queue.set(
      ctx.device,
      p.catch(() => undefined),
    );
    perDevice.set(key, p);
    // A failed compile must not poison the cache for a later retry.
    p.catch(() => perDevice.delete(key));
  }
  return p;
}

/** The kernels compiled (or compiling) on this device, by name: what a warm-up left (tests, diagnostics). */
export function cachedKernels(device: GPUDevice): string[] {
  return [...(cache.get(device)?.keys() ?? [])].map((key) => key.slice(0, key.indexOf(':')));
}

async function compile(
  ctx: GpuContext,
  kernel: KernelSource,
  constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  return withErrorScopes(ctx, `compile ${kernel.name}`, async () => {
    const module = ctx.device.createShaderModule({ label: `perifat:${kernel.name}`, code: kernel.code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const text = errors.map((m) => `${kernel.name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
      throw new PerifatError('E_GPU_SHADER', `WGSL compilation failed for ${kernel.name}`, { details: text });
    }
    return ctx.device.createComputePipelineAsync({
      label: `perifat:${kernel.name}`,
      layout: 'auto',
      compute: { module, entryPoint: kernel.entryPoint, constants },
    });
  });
}
