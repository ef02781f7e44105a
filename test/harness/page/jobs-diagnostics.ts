/**
 * Self-checks of error surfacing, run by the GPU suite: a validation error, a WGSL compile error
 * and a lost device must each come back as the right typed error, never be swallowed; and a
 * disposed backend must leave the device it was handed working.
 */
import { PerifatError } from '../../../src/errors';
import { acquireGpu } from '../../../src/gpu/device';
import { withErrorScopes } from '../../../src/gpu/error-scope';
import { cachedKernels, getPipeline } from '../../../src/gpu/pipeline-cache';
import { createEngine } from '../../../src/api/engine';
import { GpuBackend } from '../../../src/backends/webgpu/gpu-backend';
import { makePhantom } from '../../../src/phantom/generate';
import { gpu } from '../../../src/platform/page/jobs';

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

/**
 * The kernels compiled ahead of a first measurement (src/backends/webgpu/warm.ts): on the page's
 * device once a job has it, and on an engine's own device as soon as createEngine returns.
 */
export async function warmedKernels(): Promise<{ page: string[]; engine: string[] }> {
  const page = cachedKernels((await gpu()).device);
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new PerifatError('E_GPU_UNAVAILABLE', 'no adapter');
  const device = await adapter.requestDevice();
  const engine = await createEngine({ device, backend: 'webgpu' });
  const warmed = cachedKernels(device);
  engine.destroy();
  device.destroy();
  return { page, engine: warmed };
}

/** What engineLifecycle found: buffers made and alive, the cancel's code, the stages reported. */
export interface EngineLifecycle {
  abortCode: string;
  /** From abort() to the rejection, ms. */
  abortMs: number;
  created: number;
  aliveAfterAbort: number;
  aliveAfterMeasure: number;
  deviceUsableAfterDestroy: string;
  stages: string[];
  /** Fractions reported in the stages "shells" and "labels" of a complete measurement. */
  shellsProgress: number[];
  labelsProgress: number[];
}

/**
 * The public engine on a device of its own whose buffers are counted: a measurement cancelled in
 * the middle and one that completes must both leave no buffer alive, and the cancel must surface
 * as E_ABORTED; an app's device is left working after engine.destroy().
 */
export async function engineLifecycle(): Promise<EngineLifecycle> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new PerifatError('E_GPU_UNAVAILABLE', 'no adapter');
  const device = await adapter.requestDevice();
  const live = new Set<GPUBuffer>();
  let created = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (d: GPUBufferDescriptor): GPUBuffer => {
    const b = create(d);
    created++;
    live.add(b);
    const destroy = b.destroy.bind(b);
    b.destroy = () => {
      live.delete(b);
      destroy();
    };
    return b;
  };
  const engine = await createEngine({ device, backend: 'webgpu' });
  const ph = makePhantom({ dims: [48, 48, 32], spacing: [0.7, 0.7, 1] });
  const request = { ct: ph.ct, pericardium: ph.pericardium, vessels: ph.vessels };
  const ac = new AbortController();
  const stages: string[] = [];
  let abortedAt = Number.NaN;
  // Aborted as the shells stage begins: the answer must not wait for the stage's GPU work.
  const abortCode = await engine
    .measure(request, {
      signal: ac.signal,
      onProgress: (p) => {
        stages.push(p.stage);
        if (p.stage === 'pericoronary.shells' && !ac.signal.aborted) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    })
    .then(
      () => 'no error',
      (e: unknown) => (e instanceof PerifatError ? e.code : `untyped: ${String(e)}`),
    );
  const abortMs = performance.now() - abortedAt;
  // The cancelled call's stage drains in the background and then releases every buffer it made.
  const drainUntil = performance.now() + 10_000;
  while (live.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  const aliveAfterAbort = live.size;
  // A crop with enough live cells for several chunks: progress comes from inside the GPU stages.
  const larger = makePhantom({ dims: [96, 96, 64], spacing: [0.5, 0.5, 0.7], tree: {} });
  const shellsProgress: number[] = [];
  const labelsProgress: number[] = [];
  await engine.measure(
    { ct: larger.ct, pericardium: larger.pericardium, vessels: larger.vessels },
    {
      onProgress: (p) => {
        if (p.stage === 'pericoronary.shells') shellsProgress.push(p.fraction);
        if (p.stage === 'pericoronary.labels') labelsProgress.push(p.fraction);
      },
    },
  );
  const aliveAfterMeasure = live.size;
  engine.destroy();
  const deviceUsableAfterDestroy = await codeOf(async () => {
    device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }).destroy();
    await device.queue.onSubmittedWorkDone();
  });
  device.destroy();
  return {
    abortCode,
    abortMs,
    created,
    aliveAfterAbort,
    aliveAfterMeasure,
    deviceUsableAfterDestroy,
    stages,
    shellsProgress,
    labelsProgress,
  };
}
