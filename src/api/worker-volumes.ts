/** The buffers of a request's volumes, as they cross to the perifat worker and back. */
import type { MeasureRequest } from './engine';

type Volumes = Pick<MeasureRequest, 'ct' | 'pericardium' | 'coronaryMask' | 'aorta'>;

/** The buffers of a request's volumes: transferred to the worker, and back with a detailed result. */
export function volumeBuffers(r: Volumes): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>([r.ct.hu.buffer as ArrayBuffer]);
  for (const mask of [r.pericardium, r.coronaryMask, r.aorta]) if (mask) out.add(mask.labels.buffer as ArrayBuffer);
  return [...out];
}

/** Which volume's buffer a transfer has detached (a detached buffer reads as 0 bytes), if any. */
export function detachedVolume(r: Volumes): string | null {
  const volumes = [
    ['ct', r.ct.hu, r.ct.dims],
    ['pericardium', r.pericardium?.labels, r.pericardium?.dims],
    ['coronaryMask', r.coronaryMask?.labels, r.coronaryMask?.dims],
    ['aorta', r.aorta?.labels, r.aorta?.dims],
  ] as const;
  for (const [name, data, dims] of volumes)
    if (data && dims && data.buffer.byteLength === 0 && dims.every((d) => d > 0)) return name;
  return null;
}
