/**
 * Worker-thread body of the float64 pericoronary classification (shell-workers.ts sends
 * it shares; it answers with their layers, buffers transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { type ClassifyJob, type ClassifyShare, classifyShare } from '../../shells/classify';

parentPort?.on('message', (jobs: ClassifyJob[]) => {
  try {
    const shares: ClassifyShare[] = jobs.map(classifyShare);
    const buffers = shares.flatMap((s) => [s.layers.voi, s.layers.rings, ...s.layers.lesions].map((a) => a.buffer));
    parentPort?.postMessage({ shares }, buffers as ArrayBuffer[]);
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
