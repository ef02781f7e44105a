/**
 * Dispatch geometry, GPU-free so it can be unit-tested.
 */

/**
 * Fold a 1D workgroup count into x·y·z with each ≤ maxPerDim (WebGPU caps each dimension, usually
 * at 65,535). The shader recovers the linear id as x + y·X + z·X·Y and returns when it is ≥ count.
 */
export function foldWorkgroups(count: number, maxPerDim = 65535): [number, number, number] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad workgroup count ${count}`);
  if (count <= maxPerDim) return [Math.max(count, 1), 1, 1];
  const y = Math.ceil(count / maxPerDim);
  if (y <= maxPerDim) return [Math.ceil(count / y), y, 1];
  const z = Math.ceil(count / (maxPerDim * maxPerDim));
  if (z > maxPerDim) throw new RangeError(`workgroup count ${count} exceeds ${maxPerDim}^3`);
  const perZ = Math.ceil(count / z);
  const y2 = Math.ceil(perZ / maxPerDim);
  return [Math.ceil(perZ / y2), y2, z];
}

export interface GridChoice {
  /** Workgroups to dispatch (1D, ≤ maxPerDim) for a grid-stride kernel. */
  workgroups: number;
  /** Threads per workgroup. */
  workgroupSize: number;
}

/**
 * Grid size for a grid-stride kernel over `items` work items. Software adapters (SwiftShader) run
 * each workgroup on a CPU thread and pay per workgroup and per barrier, so they get a few
 * workgroups per core; real GPUs get enough to fill every SM several times over.
 */
export function chooseGrid(
  items: number,
  opts: { software: boolean; hostCores: number; workgroupSize?: number; maxPerDim?: number },
): GridChoice {
  const workgroupSize = opts.workgroupSize ?? 256;
  const needed = Math.max(1, Math.ceil(items / workgroupSize));
  const cap = opts.software ? Math.max(4, 4 * opts.hostCores) : 4096;
  return { workgroups: Math.min(needed, cap, opts.maxPerDim ?? 65535), workgroupSize };
}
