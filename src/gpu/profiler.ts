/**
 * Per-kernel GPU time from timestamp queries (the `timestamp-query` feature, where the adapter
 * offers it and acquireGpu asked for it). While a profiler is active on a device, every pass that
 * encodeKernel records writes a timestamp at its start and end; collect() resolves them all in one
 * submission at the end (query results outlive the submissions that wrote them, so no stage waits
 * for a readback) and sums them per kernel. Used by `perifat bench`; a measurement without it
 * encodes no query. Browsers may quantize timestamps (to 100 µs in Chrome without flags): the sums
 * are of many passes, each at least one dispatch long.
 */
import type { GpuContext } from './device';

/** Queries per query set (two per pass). */
const SET_QUERIES = 512;

interface Pass {
  readonly kernel: string;
  readonly set: GPUQuerySet;
  readonly begin: number;
}

export class KernelProfiler {
  private readonly sets: GPUQuerySet[] = [];
  private readonly passes: Pass[] = [];
  private used = SET_QUERIES;

  constructor(private readonly ctx: GpuContext) {}

  /** The timestamp writes of one more pass of `kernel`. */
  writes(kernel: string): GPUComputePassTimestampWrites {
    if (this.used + 2 > SET_QUERIES) {
      this.sets.push(
        this.ctx.device.createQuerySet({ type: 'timestamp', count: SET_QUERIES, label: 'perifat:profiler' }),
      );
      this.used = 0;
    }
    const set = this.sets[this.sets.length - 1] as GPUQuerySet;
    const begin = this.used;
    this.used += 2;
    this.passes.push({ kernel, set, begin });
    return { querySet: set, beginningOfPassWriteIndex: begin, endOfPassWriteIndex: begin + 1 };
  }

  /** Milliseconds per kernel over every pass recorded, and the passes per kernel; frees the queries. */
  async collect(): Promise<{ ms: Record<string, number>; passes: Record<string, number> }> {
    const ms: Record<string, number> = {};
    const passes: Record<string, number> = {};
    if (this.passes.length === 0) return { ms, passes };
    const device = this.ctx.device;
    const bytes = this.sets.length * SET_QUERIES * 8;
    const resolve = device.createBuffer({
      label: 'perifat:profiler.resolve',
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const read = device.createBuffer({
      label: 'perifat:profiler.read',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      const enc = device.createCommandEncoder({ label: 'perifat:profiler' });
      this.sets.forEach((set, n) => {
        const count = n === this.sets.length - 1 ? this.used : SET_QUERIES;
        enc.resolveQuerySet(set, 0, count, resolve, n * SET_QUERIES * 8);
      });
      enc.copyBufferToBuffer(resolve, 0, read, 0, bytes);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      for (const p of this.passes) {
        const at = this.sets.indexOf(p.set) * SET_QUERIES + p.begin;
        const start = t[at] as bigint;
        const end = t[at + 1] as bigint;
        const ns = end > start ? Number(end - start) : 0;
        ms[p.kernel] = (ms[p.kernel] ?? 0) + ns / 1e6;
        passes[p.kernel] = (passes[p.kernel] ?? 0) + 1;
      }
      return { ms, passes };
    } finally {
      resolve.destroy();
      read.destroy();
      for (const s of this.sets.splice(0)) s.destroy();
      this.passes.length = 0;
      this.used = SET_QUERIES;
    }
  }
}

const active = new WeakMap<GPUDevice, KernelProfiler>();

/** Starts profiling every kernel on the context's device; null when it has no timestamp queries. */
export function startProfiling(ctx: GpuContext): KernelProfiler | null {
  if (!ctx.device.features.has('timestamp-query')) return null;
  const p = new KernelProfiler(ctx);
  active.set(ctx.device, p);
  return p;
}

/** Stops recording on the context's device (collect what the profiler holds afterwards). */
export function stopProfiling(ctx: GpuContext): void {
  active.delete(ctx.device);
}

/** The timestamp writes for a pass of `kernel`, when a profiler is active on this device. */
export function passTimestamps(ctx: GpuContext, kernel: string): GPUComputePassTimestampWrites | undefined {
  return active.get(ctx.device)?.writes(kernel);
}
