/**
 * Dispatch: how many workgroups a grid-stride kernel gets (GPU-free, unit-tested), and one compute
 * pass encoded with its buffers bound BY NAME from the kernel's declaration — a call site never
 * counts binding numbers, and a missing or unknown name fails before the GPU sees it.
 */
import { PerifatError } from '../errors';
import { type BufferScope, writeBytes } from './buffers';
import type { GpuContext } from './device';
import { bindingLimit } from './gpu-volume';
import type { KernelDecl } from './kernel-decl';
import { passTimestamps } from './profiler';
import { packedBytes } from './slabs';

/** Invocations per workgroup of the line and shell kernels: small, since each runs a whole line. */
export const LINE_WG = 64;

export interface GridChoice {
  /** Workgroups to dispatch (1D, ≤ maxPerDim) for a grid-stride kernel. */
  workgroups: number;
  /** Threads per workgroup. */
  workgroupSize: number;
}

/**
 * Grid size for a grid-stride kernel over `items` work items. Software adapters (SwiftShader) run
 * each workgroup on a CPU thread and pay per workgroup and per barrier, so they get a few
 * workgroups per core; real GPUs get enough to fill every SM several times over.
 */
export function chooseGrid(
  items: number,
  opts: { software: boolean; hostCores: number; workgroupSize?: number; maxPerDim?: number },
): GridChoice {
  const workgroupSize = opts.workgroupSize ?? 256;
  const needed = Math.max(1, Math.ceil(items / workgroupSize));
  const cap = opts.software ? Math.max(4, 4 * opts.hostCores) : 4096;
  return { workgroups: Math.min(needed, cap, opts.maxPerDim ?? 65535), workgroupSize };
}

/** Workgroups of a grid-stride dispatch over `items` with `workgroupSize` invocations each. */
export function gridFor(ctx: GpuContext, items: number, workgroupSize = LINE_WG): number {
  return chooseGrid(items, {
    software: ctx.isSoftware,
    hostCores: ctx.hostCores,
    workgroupSize,
    maxPerDim: ctx.device.limits.maxComputeWorkgroupsPerDimension,
  }).workgroups;
}

/** Buffers of one dispatch, by the names of the kernel's declared bindings. */
export type Bindings = Readonly<Record<string, GPUBuffer>>;

/** Bind-group entries from names: every declared binding given, no other name (pure, unit-tested). */
export function bindingEntries<T>(
  kernel: KernelDecl,
  buffers: Readonly<Record<string, T>>,
): { binding: number; value: T }[] {
  const declared = Object.keys(kernel.bindings);
  const extra = Object.keys(buffers).filter((n) => !(n in kernel.bindings));
  const missing = declared.filter((n) => !(n in buffers));
  if (extra.length > 0 || missing.length > 0) {
    const what = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      extra.length ? `unknown ${extra.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    throw new PerifatError('E_RUNTIME', `${kernel.name}: bindings do not match its declaration (${what})`);
  }
  return declared.map((name) => {
    const decl = kernel.bindings[name];
    if (!decl || decl.group !== 0) throw new PerifatError('E_RUNTIME', `${kernel.name}.${name}: only group 0 is bound`);
    return { binding: decl.binding, value: buffers[name] as T };
  });
}

/** One labelled compute pass of `kernel` with its buffers bound by name. */
export function encodeKernel(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  kernel: KernelDecl,
  label: string,
  buffers: Bindings,
  workgroups: number,
): void {
  const bind = ctx.device.createBindGroup({
    label: `perifat:${label}`,
    layout: pipeline.getBindGroupLayout(0),
    entries: bindingEntries(kernel, buffers).map((e) => ({ binding: e.binding, resource: { buffer: e.value } })),
  });
  const timestampWrites = passTimestamps(ctx, kernel.name);
  const pass = enc.beginComputePass({ label: `perifat:${label}`, ...(timestampWrites ? { timestampWrites } : {}) });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
}

/** Check that a per-voxel buffer of `voxels` × `bytesPerVoxel` fits one storage binding. */
export function checkFits(ctx: GpuContext, what: string, voxels: number, bytesPerVoxel: number): void {
  const bytes = voxels * bytesPerVoxel;
  const limit = bindingLimit(ctx);
  if (bytes > limit || voxels >= 0xffffffff) {
    throw new PerifatError(
      'E_TOO_LARGE',
      `${what}: ${voxels} voxels need ${bytes} bytes, over this adapter's storage binding limit of ${limit} bytes`,
    );
  }
}

/** Upload a u8-per-voxel mask as packed u8 (four voxels per word). */
export function uploadMask(ctx: GpuContext, scope: BufferScope, label: string, mask: Uint8Array): GPUBuffer {
  const buf = scope.storage(label, packedBytes(mask.length, 1));
  writeBytes(ctx, buf, mask);
  return buf;
}

/** A storage buffer holding `data` (an empty one still gets a valid 16-byte buffer from the scope). */
export function uploadData(ctx: GpuContext, scope: BufferScope, label: string, data: ArrayBufferView): GPUBuffer {
  const buf = scope.storage(label, data.byteLength);
  if (data.byteLength > 0) ctx.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}
