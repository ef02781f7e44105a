/**
 * Worker-thread body of the float64 pericoronary classification (shell-workers.ts): a `setup`
 * message gives the plan and guard of a classification, each `zCells` message then asks for one
 * share of it (the answer carries the share's layers, buffers transferred, not copied), and
 * `release` lets the plan and guard go once the classification is over.
 */
import { parentPort } from 'node:worker_threads';
import { type ClassifyJob, classifyShare } from '../../shells/classify';

/** What the pool sends: the inputs shared by every share of a classification, or one share. */
export type ShellWorkerMessage =
  { setup: Omit<ClassifyJob, 'zCells'> } | { zCells: readonly [number, number] } | { release: true };

let setup: Omit<ClassifyJob, 'zCells'> | null = null;

parentPort?.on('message', (m: ShellWorkerMessage) => {
  if ('setup' in m || 'release' in m) {
    setup = 'setup' in m ? m.setup : null;
    return;
  }
  try {
    if (!setup) throw new Error('share before setup');
    const share = classifyShare({ ...setup, zCells: m.zCells });
    const buffers = [share.layers.voi, share.layers.rings, ...share.layers.lesions].map((a) => a.buffer);
    parentPort?.postMessage({ share }, buffers as ArrayBuffer[]);
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
