/** The page job that runs a whole measurement on the page's WebGPU device. */
import { GpuBackend } from '../../backends/webgpu/gpu-backend';
import { GpuMeasureBackend } from '../../backends/webgpu/measure-gpu';
import { startProfiling, stopProfiling } from '../../gpu/profiler';
import { measureDetailed } from '../../measure/measure';
import { fetchBlob, fetchCenterlineRequest, fetchMask, gpu, indexBuilder, pageRuntime } from './jobs';
import type { MeasureCall, MeasureReply } from './protocol';

/** Post bytes to the local server; returns the id Node reads them back under. */
async function postUpload(bytes: Uint8Array): Promise<string> {
  const id = `u${crypto.randomUUID()}`;
  const res = await fetch(`upload/${id}`, { method: 'POST', body: new Blob([bytes.slice()]) });
  if (!res.ok) throw new Error(`upload ${id}: HTTP ${res.status}`);
  return id;
}

export async function measureJob(args: MeasureCall): Promise<MeasureReply> {
  // The device (and its first compiles) while the inputs are fetched.
  const device = gpu();
  device.catch(() => undefined);
  const hu = new Int16Array(await fetchBlob(args.ct.huBlob));
  const ct = { ...args.ct, hu };
  const pericardium = await fetchMask(args.ct, args.pericardium);
  const centerlines = args.centerlines ? await fetchCenterlineRequest(args.ct, args.centerlines) : null;
  const ctx = await device;
  // The page keeps its device across jobs; the backend's buffers go with the job.
  const backend = new GpuBackend(ctx, {
    maxBindingBytes: args.maxBindingBytes,
    nearest: args.nearest,
    buildIndex: indexBuilder(),
  });
  const profiler = args.profile ? startProfiling(ctx) : null;
  try {
    const { report, layers } = await measureDetailed(
      { ct, pericardium, vessels: args.vessels, centerlines, ...(args.lesions ? { lesions: args.lesions } : {}) },
      new GpuMeasureBackend(backend, pageRuntime()),
      args.options,
      { wantLayers: args.wantLayers === true },
    );
    if (profiler) {
      stopProfiling(ctx);
      const kernels = await profiler.collect();
      for (const [name, ms] of Object.entries(kernels.ms)) report.timingsMs[`gpu.${name}`] = ms;
    }
    if (!layers) return { report, layers: null };
    return {
      report,
      layers: {
        crop: { lo: [...layers.crop.lo], hi: [...layers.crop.hi] },
        dims: [...layers.layers.dims],
        vessels: [...layers.vessels],
        voi: await postUpload(layers.layers.voi),
        rings: await postUpload(layers.layers.rings),
        lesions: await Promise.all(layers.layers.lesions.map(postUpload)),
        ties: await Promise.all(
          (layers.layers.ties ?? []).map(async (t) => ({
            voi: await postUpload(t.voi),
            rings: await postUpload(t.rings),
          })),
        ),
      },
    };
  } finally {
    stopProfiling(ctx);
    backend.dispose();
  }
}
