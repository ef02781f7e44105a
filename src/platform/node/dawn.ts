/**
 * WebGPU in Node without a browser: Dawn, through the npm `webgpu` package (an optional peer
 * dependency: servers that want a GPU without Chromium install it). The same kernels and the same
 * GpuBackend run on it as in a page; only the device comes from here. On a machine without a GPU,
 * Dawn's adapter is Mesa's llvmpipe (Vulkan) — a software one, which `auto` never chooses.
 */
import { acquireGpu, type GpuContext } from '../../gpu/device';
import { PerifatError } from '../../errors';

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

let module: Promise<DawnModule> | null = null;
/**
 * The Dawn instance, held for the life of the process: its devices live only as long as it does
 * (once garbage-collected, Dawn aborts the process on the next call).
 */
let instance: GPU | null = null;

function loadDawn(): Promise<DawnModule> {
  // A variable specifier: bundlers leave the optional package alone, Node resolves it at run time.
  const name = 'webgpu';
  module ??= (import(name) as Promise<DawnModule>).catch((e: unknown) => {
    module = null;
    throw new PerifatError(
      'E_GPU_UNAVAILABLE',
      `--runtime node needs the optional package "webgpu" (Dawn for Node): npm install webgpu (${String(e)})`,
      { cause: e },
    );
  });
  return module;
}

/** Dawn's GPU object (what navigator.gpu is in a page); its GPU* constants are made global. */
export async function dawnGpu(): Promise<GPU> {
  const dawn = await loadDawn();
  // GPUBufferUsage, GPUMapMode … are globals in a browser; Dawn for Node hands them over.
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
  instance ??= dawn.create([]);
  return instance;
}

/** A device from Dawn in this process. */
export async function openDawn(hostCores: number): Promise<GpuContext> {
  return acquireGpu({ gpu: await dawnGpu(), hostCores });
}
