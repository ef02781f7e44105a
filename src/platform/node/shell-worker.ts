/**
 * Worker-thread body of the float64 pericoronary classification (shell-workers.ts): a `setup`
 * message gives the plan, guard and whole-crop layers (on SharedArrayBuffers) of a classification,
 * each `zCells` message then asks for one share of it, written straight into those layers; the
 * answer carries its counts and any layer it had to add (addedLayers: its slices of them, buffers
 * transferred). `release` lets the plan, guard and layers go once the classification is over.
 * For a GPU measurement the same workers build shares of the live candidate index (index-workers.ts):
 * `indexOf` gives the plan, each `indexShare` asks for one share, answered with its lists (buffers
 * transferred).
 */
import { parentPort } from 'node:worker_threads';
import { type ClassifyJob, type ClassifyShare, classifyShare } from '../../shells/classify';
import { type AddedLayers, addedLayers } from '../../shells/layers';
import { type IndexShare, buildIndexShare } from '../../shells/index-shares';
import type { ShellPlan } from '../../shells/plan';

/** What the pool sends: the inputs shared by every share of a classification, or one share. */
export type ShellWorkerMessage =
  | { setup: Omit<ClassifyJob, 'zCells'> & { into: NonNullable<ClassifyJob['into']> } }
  | { zCells: readonly [number, number] }
  | { indexOf: ShellPlan }
  | { indexShare: readonly [number, number] }
  | { release: true };

/** A share's answer: its counts, and the layers it added beyond the shared ones. */
export type SharedShare = Omit<ClassifyShare, 'layers'> & { readonly added: AddedLayers };

let setup: Omit<ClassifyJob, 'zCells'> | null = null;
let indexPlan: ShellPlan | null = null;

parentPort?.on('message', (m: ShellWorkerMessage) => {
  if ('setup' in m || 'release' in m) {
    setup = 'setup' in m ? m.setup : null;
    indexPlan = null;
    return;
  }
  if ('indexOf' in m) {
    indexPlan = m.indexOf;
    return;
  }
  if ('indexShare' in m) {
    try {
      if (!indexPlan) throw new Error('index share before its plan');
      const index: IndexShare = buildIndexShare(indexPlan, m.indexShare);
      const buffers = [index.lists, index.seg, index.plane, index.mayLabel].map((a) => a.buffer as ArrayBuffer);
      parentPort?.postMessage({ index }, buffers);
    } catch (e) {
      parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  try {
    if (!setup) throw new Error('share before setup');
    const { layers, ...share } = classifyShare({ ...setup, zCells: m.zCells });
    const slice = setup.plan.cropDims[0] * setup.plan.cropDims[1];
    const added = addedLayers(layers, share.z0 * slice, share.z1 * slice);
    const buffers = [...added.ties.flatMap((t) => [t.voi, t.rings]), ...added.lesions.map((l) => l.labels)];
    parentPort?.postMessage(
      { share: { ...share, added } satisfies SharedShare },
      buffers.map((a) => a.buffer as ArrayBuffer),
    );
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
