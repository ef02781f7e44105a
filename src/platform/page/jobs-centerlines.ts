/** The page job that derives centerlines with the page's WebGPU device (the EDT kernel). */
import { GpuBackend } from '../../backends/webgpu/gpu-backend';
import { GpuMeasureBackend } from '../../backends/webgpu/measure-gpu';
import { deriveCenterlines } from '../../centerlines/derive';
import type { DerivedCenterlines } from '../../centerlines/types';
import { fetchBlob, gpu } from './jobs';
import type { CenterlinesCall } from './protocol';

export async function centerlinesJob(args: CenterlinesCall): Promise<DerivedCenterlines> {
  const ctx = await gpu();
  const ct = { ...args.ct, hu: new Int16Array(await fetchBlob(args.ct.huBlob)) };
  const mask = async (m: { source: string; labelsBlob: string } | null) =>
    m ? { ...args.ct, source: m.source, labels: new Uint8Array(await fetchBlob(m.labelsBlob)) } : null;
  const c = args.centerlines;
  const backend = new GpuBackend(ctx);
  try {
    const edt = new GpuMeasureBackend(backend, 'chromium');
    return await deriveCenterlines(
      ct,
      {
        coronaryMask: await mask(c.coronaryMask),
        aorta: await mask(c.aorta),
        ...(c.labelNames ? { labelNames: c.labelNames } : {}),
        ...(c.trace ? { trace: c.trace } : {}),
      },
      (dims, spacing, m) => edt.edt(dims, spacing, m),
    );
  } finally {
    backend.dispose();
  }
}
