/**
 * What every job of the headless page shares: the page's WebGPU device (acquired once, kept across
 * jobs), the candidate index builder its host gives it, fetching inputs from the local server, and
 * the adapter report.
 */
import { acquireGpu, type GpuContext } from '../../gpu/device';
import { warmPipelines } from '../../backends/webgpu/warm';
import type { CenterlineRequest } from '../../centerlines/derive';
import type { LabelVolume } from '../../volume/volume';
import type { IndexBuilder } from '../../shells/index-shares';
import type { AdapterReport, MeasureCall } from './protocol';

let hostIndexBuilder: IndexBuilder | undefined;

/**
 * The candidate index builder of the process these jobs run in: Node's worker threads when they
 * run on Dawn (src/platform/node/dawn-page-runner.ts); none in Chromium, where the page's thread
 * builds it.
 */
export function setIndexBuilder(builder: IndexBuilder | undefined): void {
  hostIndexBuilder = builder;
}

export function indexBuilder(): IndexBuilder | undefined {
  return hostIndexBuilder;
}

/** The page's device as acquired, and the same once its common kernels are compiled. */
let acquired: Promise<GpuContext> | null = null;
let context: Promise<GpuContext> | null = null;

function acquire(): { acquired: Promise<GpuContext>; context: Promise<GpuContext> } {
  if (!acquired || !context) {
    const a = acquireGpu();
    const c = a.then(async (ctx) => {
      await warmPipelines(ctx);
      return ctx;
    });
    // A failed acquisition is tried again by the next job.
    c.catch(() => {
      if (acquired === a) acquired = context = null;
    });
    acquired = a;
    context = c;
  }
  return { acquired, context };
}

/**
 * The page's device for GPU work, once its common kernels are compiled (backends/webgpu/warm.ts):
 * a job that starts it early (measureJob, before fetching its inputs) has the compile overlap the
 * fetch, and no job's GPU work interleaves with the compile's error scopes. The compile starts
 * with the device, whichever job asks first (the adapter report, at the runner's start).
 */
export function gpu(): Promise<GpuContext> {
  return acquire().context;
}

/** Where these jobs run: a page in Chromium, or the same jobs in Node on Dawn (the GPU suites). */
export function pageRuntime(): 'chromium' | 'node' {
  return typeof window === 'undefined' ? 'node' : 'chromium';
}

export async function fetchBlob(id: string): Promise<ArrayBuffer> {
  const res = await fetch(`blob/${encodeURIComponent(id)}`);
  if (!res.ok) throw new Error(`blob ${id}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

export async function adapterReport(): Promise<AdapterReport> {
  // The device as acquired: the report does no GPU work, so it need not wait for the compile.
  const ctx = await acquire().acquired;
  const limits: Record<string, number> = {};
  for (const k of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage',
  ] as const) {
    limits[k] = ctx.device.limits[k];
  }
  return { adapter: ctx.adapter, limits, features: [...ctx.device.features], hostCores: ctx.hostCores };
}

/** The grid alone of the call's CT (not its kvp, blob or doubts). */
function gridOf(g: MeasureCall['ct']): Pick<LabelVolume, 'dims' | 'spacing' | 'origin' | 'direction'> {
  return { dims: g.dims, spacing: g.spacing, origin: g.origin, direction: g.direction };
}

/** A label volume on the call's CT grid from its blob (pericardium, coronary or aorta mask). */
export async function fetchMask(
  grid: MeasureCall['ct'],
  m: { source: string; labelsBlob: string; doubts?: string[] } | null | undefined,
): Promise<LabelVolume | null> {
  if (!m) return null;
  const labels = new Uint8Array(await fetchBlob(m.labelsBlob));
  return { ...gridOf(grid), source: m.source, labels, ...(m.doubts ? { doubts: m.doubts } : {}) };
}

/** What to derive centerlines from, as the call sent it (masks fetched from their blobs). */
export async function fetchCenterlineRequest(
  grid: MeasureCall['ct'],
  c: NonNullable<MeasureCall['centerlines']>,
): Promise<CenterlineRequest> {
  return {
    coronaryMask: await fetchMask(grid, c.coronaryMask),
    aorta: await fetchMask(grid, c.aorta),
    ...(c.labelNames ? { labelNames: c.labelNames } : {}),
    ...(c.trace ? { trace: c.trace } : {}),
  };
}
