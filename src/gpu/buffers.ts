/**
 * Buffer helpers: every GPU object is labelled, uploads respect WebGPU's 4-byte rules, and
 * read-backs go through a staging buffer that is destroyed after use.
 */
import type { GpuContext } from './device';
import { withErrorScopes } from './error-scope';

export function createBuffer(ctx: GpuContext, label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
  // WebGPU needs sizes that are multiples of 4; zero-size bindings are invalid.
  const padded = Math.max(16, Math.ceil(size / 4) * 4);
  return ctx.device.createBuffer({ label: `perifat:${label}`, size: padded, usage });
}

export function storageBuffer(ctx: GpuContext, label: string, size: number): GPUBuffer {
  return createBuffer(ctx, label, size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
}

export function uniformBuffer(ctx: GpuContext, label: string, data: ArrayBuffer): GPUBuffer {
  const buf = createBuffer(ctx, label, data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/**
 * Write `bytes` at byte offset 0 of `buf`. WebGPU wants whole 4-byte words, so a ragged tail is
 * copied into a zero-padded word of its own.
 */
export function writeBytes(ctx: GpuContext, buf: GPUBuffer, bytes: Uint8Array): void {
  const whole = bytes.byteLength - (bytes.byteLength % 4);
  if (whole > 0) ctx.device.queue.writeBuffer(buf, 0, bytes.buffer, bytes.byteOffset, whole);
  if (whole < bytes.byteLength) {
    const tail = new Uint8Array(4);
    tail.set(bytes.subarray(whole));
    ctx.device.queue.writeBuffer(buf, whole, tail);
  }
}

/** Copy a GPU buffer's first `size` bytes back to the host. */
export async function readBuffer(ctx: GpuContext, src: GPUBuffer, size: number): Promise<ArrayBuffer> {
  const staging = createBuffer(ctx, `${src.label}:readback`, size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  try {
    return await withErrorScopes(ctx, `read back ${src.label}`, async () => {
      const enc = ctx.device.createCommandEncoder({ label: `perifat:readback ${src.label}` });
      enc.copyBufferToBuffer(src, 0, staging, 0, Math.ceil(size / 4) * 4);
      ctx.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = staging.getMappedRange(0, Math.ceil(size / 4) * 4).slice(0, size);
      staging.unmap();
      return out;
    });
  } finally {
    staging.destroy();
  }
}

/** Tracks buffers made for one job so that all of them are destroyed together, even on error. */
export class BufferScope {
  private readonly owned: GPUBuffer[] = [];
  constructor(private readonly ctx: GpuContext) {}

  storage(label: string, size: number): GPUBuffer {
    return this.keep(storageBuffer(this.ctx, label, size));
  }

  uniform(label: string, data: ArrayBuffer): GPUBuffer {
    return this.keep(uniformBuffer(this.ctx, label, data));
  }

  keep(buf: GPUBuffer): GPUBuffer {
    this.owned.push(buf);
    return buf;
  }

  destroyAll(): void {
    for (const b of this.owned.splice(0)) b.destroy();
  }
}
