/** The page job that runs a whole measurement on the page's WebGPU device. */
import { GpuBackend } from '../host/gpu-backend';
import { GpuMeasureBackend } from '../host/measure-gpu';
import { measure } from '../measure/measure';
import type { Report } from '../measure/report-types';
import { fetchBlob, gpu } from './jobs';
import type { MeasureCall } from './protocol';

export async function measureJob(args: MeasureCall): Promise<Report> {
  const ctx = await gpu();
  const hu = new Int16Array(await fetchBlob(args.ct.huBlob));
  const ct = { ...args.ct, hu };
  const pericardium = args.pericardium
    ? {
        ...args.ct,
        source: args.pericardium.source,
        labels: new Uint8Array(await fetchBlob(args.pericardium.labelsBlob)),
      }
    : null;
  // The page keeps its device across jobs; the backend's buffers go with the job.
  const backend = new GpuBackend({ ...ctx, dispose: () => undefined }, { maxBindingBytes: args.maxBindingBytes });
  try {
    return await measure(
      { ct, pericardium, vessels: args.vessels },
      new GpuMeasureBackend(backend, 'chromium'),
      args.options,
    );
  } finally {
    backend.dispose();
  }
}
