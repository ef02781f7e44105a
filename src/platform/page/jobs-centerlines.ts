/** The page job that derives centerlines with the page's WebGPU device (the EDT kernel). */
import { GpuBackend } from '../../backends/webgpu/gpu-backend';
import { GpuMeasureBackend } from '../../backends/webgpu/measure-gpu';
import { deriveCenterlines } from '../../centerlines/derive';
import type { DerivedCenterlines } from '../../centerlines/types';
import { fetchBlob, fetchCenterlineRequest, gpu, pageRuntime } from './jobs';
import type { CenterlinesCall } from './protocol';

export async function centerlinesJob(args: CenterlinesCall): Promise<DerivedCenterlines> {
  const ctx = await gpu();
  const ct = { ...args.ct, hu: new Int16Array(await fetchBlob(args.ct.huBlob)) };
  const req = await fetchCenterlineRequest(args.ct, args.centerlines);
  const backend = new GpuBackend(ctx);
  try {
    const edt = new GpuMeasureBackend(backend, pageRuntime());
    return await deriveCenterlines(ct, req, (dims, spacing, m) => edt.edt(dims, spacing, m));
  } finally {
    backend.dispose();
  }
}
