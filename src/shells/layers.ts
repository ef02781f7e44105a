/**
 * The crop's label layers and where a voxel's labels go in them (METHOD.md §4's exact ties).
 *
 * A voxel may belong to several vessels at once (an exact tie of w) and lie in several lesions, but
 * a layer holds one u8 label per voxel. So the VOI and ring labels come in tie layers — layer 0
 * (`voi`, `rings`) holds the lowest-index tied vessel's labels, `ties[t − 1]` the t-th tied vessel's
 * (ranks in vessel index order) — and lesion labels in lesion layers, each lesion in the layer the
 * plan gave it (plan.ts layerLesions). Every count is the sum over all layers, so each (voxel,
 * vessel) and (voxel, lesion) pair is counted exactly once.
 *
 * The kernels write plan.tieLayerCount tie layers and plan.lesionLayerCount lesion layers, enough
 * for every voxel they decide. A voxel classified in float64 (the CPU backend, the GPU's settling)
 * can be tied across parts, with more tied vessels or lesions than that: placeLabels then puts a
 * lesion label in the first layer free at the voxel and adds a layer where none is, on the host.
 */
import type { ShellPlan } from './plan';

/** One tie layer beyond the first: the VOI and ring labels of the voxels' t-th tied vessel. */
export interface TieLayer {
  readonly voi: Uint8Array;
  readonly rings: Uint8Array;
}

export interface LabelLayers {
  /** Tie layer 0: VOI and ring labels of each voxel's lowest-index owning vessel. */
  readonly voi: Uint8Array;
  readonly rings: Uint8Array;
  /** One layer per group of lesions that never share a voxel (may grow on the host). */
  readonly lesions: Uint8Array[];
  /** Tie layers 1…: the labels of the voxels' second, third … tied vessel (may grow on the host). */
  readonly ties: TieLayer[];
}

/**
 * Zero layers of n voxels: the plan's tie and lesion layer counts, each from `alloc` (e.g. on a
 * SharedArrayBuffer, for threads that each write their own slices of one crop).
 */
export function emptyLayers(
  plan: ShellPlan,
  n: number,
  alloc: (n: number) => Uint8Array = (m) => new Uint8Array(m),
): LabelLayers {
  return {
    voi: alloc(n),
    rings: alloc(n),
    lesions: Array.from({ length: plan.lesionLayerCount }, () => alloc(n)),
    ties: Array.from({ length: Math.max(0, plan.tieLayerCount - 1) }, () => ({ voi: alloc(n), rings: alloc(n) })),
  };
}

/** Tie layer t (0 = the main voi/rings), added when missing. */
export function tieLayer(layers: LabelLayers, t: number): TieLayer {
  if (t === 0) return layers;
  const n = layers.voi.length;
  while (layers.ties.length < t) layers.ties.push({ voi: new Uint8Array(n), rings: new Uint8Array(n) });
  return layers.ties[t - 1] as TieLayer;
}

/**
 * One voxel's labels, as ExactShells.label() leaves them: the VOI and ring label of each tied owning
 * vessel (`tieVoi[t]`, `tieRing[t]`, t < tieCount, 0 for none) and its lesions (`lesionHits`,
 * indices into plan.lesions, the first lesionCount).
 */
export interface VoxelLabelSet {
  readonly tieCount: number;
  readonly tieVoi: ArrayLike<number>;
  readonly tieRing: ArrayLike<number>;
  readonly lesionCount: number;
  readonly lesionHits: ArrayLike<number>;
}

/**
 * Writes one voxel's labels at index v: VOI and ring labels per tie rank and the lesion labels,
 * each lesion in its planned layer when that is free at v, else in the first free one (a new one
 * if none is).
 */
export function placeLabels(plan: ShellPlan, layers: LabelLayers, v: number, labels: VoxelLabelSet): void {
  const { tieCount, tieVoi: voi, tieRing: ring, lesionCount, lesionHits } = labels;
  for (let t = 0; t < tieCount; t++) {
    const a = voi[t] as number;
    const b = ring[t] as number;
    if (a === 0 && b === 0) continue;
    const layer = tieLayer(layers, t);
    layer.voi[v] = a;
    layer.rings[v] = b;
  }
  for (let q = 0; q < lesionCount; q++) {
    const lesion = plan.lesions[lesionHits[q] as number] as ShellPlan['lesions'][number];
    let target = layers.lesions[lesion.layer];
    if (!target || target[v] !== 0) target = layers.lesions.find((l) => l[v] === 0);
    if (!target) {
      target = new Uint8Array(layers.voi.length);
      layers.lesions.push(target);
    }
    target[v] = lesion.label;
  }
}

/** Every tie layer as [voi, rings] pairs, layer 0 first. */
export function allTieLayers(layers: {
  readonly voi: Uint8Array;
  readonly rings: Uint8Array;
  readonly ties?: readonly TieLayer[];
}): TieLayer[] {
  return [{ voi: layers.voi, rings: layers.rings }, ...(layers.ties ?? [])];
}

/**
 * What a thread writing into shared whole-crop layers (emptyLayers on SharedArrayBuffers) could
 * not write there: the layers it had to add (a tie or lesion layer the plan did not foresee, on
 * its own memory), as copies of voxels [from, to) — its slices — with their layer indices.
 */
export interface AddedLayers {
  readonly ties: { readonly t: number; readonly voi: Uint8Array; readonly rings: Uint8Array }[];
  readonly lesions: { readonly index: number; readonly labels: Uint8Array }[];
}

const shared = (a: Uint8Array): boolean =>
  typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;

/** The layers of `layers` that are not shared, voxels [from, to) of each (copies). */
export function addedLayers(layers: LabelLayers, from: number, to: number): AddedLayers {
  return {
    ties: layers.ties.flatMap((l, i) =>
      shared(l.voi) ? [] : [{ t: i + 1, voi: l.voi.slice(from, to), rings: l.rings.slice(from, to) }],
    ),
    lesions: layers.lesions.flatMap((l, index) => (shared(l) ? [] : [{ index, labels: l.slice(from, to) }])),
  };
}

/** Another thread's added layers written into `layers` at voxel `at` (layers added where missing). */
export function mergeAdded(layers: LabelLayers, added: AddedLayers, at: number): void {
  for (const a of added.ties) {
    const into = tieLayer(layers, a.t);
    into.voi.set(a.voi, at);
    into.rings.set(a.rings, at);
  }
  for (const a of added.lesions) {
    while (layers.lesions.length <= a.index) layers.lesions.push(new Uint8Array(layers.voi.length));
    (layers.lesions[a.index] as Uint8Array).set(a.labels, at);
  }
}
