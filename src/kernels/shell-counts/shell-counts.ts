/**
 * Host side of shell-counts.wgsl: the fat histograms of the VOI, ring and lesion layers counted
 * where shell_labels would write the layers, and the list of voxels left to the float64 settling
 * (src/backends/webgpu/pericoronary.ts runs it when no layers are asked for; its CPU twin is
 * shell-counts.cpu.ts). The rows of the `counts` buffer and their reading back into histograms
 * live here too, so host and shader share one layout.
 */
import huLib from '../lib/hu.wgsl?raw';
import ownerWordLib from '../lib/owner-word.wgsl?raw';
import rulesLib from '../lib/shell-rules.wgsl?raw';
import countsCode from './shell-counts.wgsl?raw';
import type { BufferScope } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { getPipeline } from '../../gpu/pipeline-cache';
import { RING_COUNT } from '../../measure/pericoronary-types';
import { shellOverrides } from '../../shells/constants';
import type { ShellPlan } from '../../shells/plan';
import type { LiveChunk, LiveLayout } from '../../shells/live-cells';
import type { ShellTables } from '../../shells/tables';
import { type FatWindow, windowBins } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';
import { LINE_WG, encodeKernel, gridFor } from '../../gpu/dispatch';
import { type KernelDecl, packUniform, uniformField as field } from '../../gpu/kernel-decl';
import { RULE_BINDINGS, SHELL_LABELS, labelUniform } from '../shell-labels/shell-labels';

export const SHELL_COUNTS: KernelDecl = {
  name: 'shell_counts',
  code: `${huLib}\n${ownerWordLib}\n${rulesLib}\n${countsCode}`,
  entryPoint: 'main',
  bindings: {
    ...RULE_BINDINGS,
    hu: { group: 0, binding: 5, kind: 'read' },
    counts: { group: 0, binding: 6, kind: 'read_write' },
    undecided: { group: 0, binding: 7, kind: 'read_write' },
  },
  params: {
    size: 128,
    fields: {
      // The fields shell_labels has, at the same offsets (but its last, pad).
      ...Object.fromEntries(Object.entries(SHELL_LABELS.params!.fields).filter(([k]) => k !== 'pad')),
      bins: field('u32', 92),
      fatLo: field('i32', 96),
      fatHi: field('i32', 100),
      voiRow: field('u32', 104),
      ringRow: field('u32', 108),
      lesionRow: field('u32', 112),
      pad0: field('u32', 116),
      pad1: field('u32', 120),
      pad2: field('u32', 124),
    },
  },
  // The owner word's and the rules' overrides (../lib/owner-word.wgsl, ../lib/shell-rules.wgsl) and the workgroup size.
  overrides: SHELL_LABELS.overrides,
};

export function shellCountsPipeline(ctx: GpuContext): Promise<GPUComputePipeline> {
  const names = SHELL_COUNTS.overrides.filter((n) => n !== 'WG');
  return getPipeline(ctx, SHELL_COUNTS, { WG: LINE_WG, ...shellOverrides(names) });
}

/**
 * Rows of the counts buffer: label l of the VOI at voiRow + l, of the rings at ringRow + l, of the
 * lesions at lesionRow + l (row 0 of each unused, as in a LabelHistograms); each row holds the
 * label's voxels outside the fat window and then its `bins` histogram words.
 */
export interface CountRows {
  readonly bins: number;
  readonly voiMax: number;
  readonly ringMax: number;
  readonly lesionMax: number;
  readonly voiRow: number;
  readonly ringRow: number;
  readonly lesionRow: number;
  readonly rows: number;
}

export function countRows(plan: ShellPlan, window: FatWindow): CountRows {
  const voiMax = Math.max(1, plan.vessels.length);
  const ringMax = voiMax * RING_COUNT;
  const lesionMax = Math.max(1, plan.lesions.length);
  const ringRow = voiMax + 1;
  const lesionRow = ringRow + ringMax + 1;
  return {
    bins: windowBins(window),
    voiMax,
    ringMax,
    lesionMax,
    voiRow: 0,
    ringRow,
    lesionRow,
    rows: lesionRow + lesionMax + 1,
  };
}

/** Bytes of the counts buffer. */
export function countBytes(rows: CountRows): number {
  return rows.rows * (rows.bins + 1) * 4;
}

/** The VOI, ring and lesion histograms of a counts buffer read back. */
export function countHistograms(
  words: Uint32Array,
  rows: CountRows,
  window: FatWindow,
): { voi: LabelHistograms; rings: LabelHistograms; lesions: LabelHistograms } {
  const { bins } = rows;
  const take = (first: number, maxLabel: number): LabelHistograms => {
    const voxels = new Float64Array(maxLabel + 1);
    const histogram = new Uint32Array((maxLabel + 1) * bins);
    for (let l = 1; l <= maxLabel; l++) {
      const o = (first + l) * (bins + 1);
      const row = words.subarray(o + 1, o + 1 + bins);
      // The voxels outside the window, and those in it (the bins).
      voxels[l] = row.reduce((a, b) => a + b, words[o] as number);
      histogram.set(row, l * bins);
    }
    return { window, maxLabel, voxels, histogram };
  };
  return {
    voi: take(rows.voiRow, rows.voiMax),
    rings: take(rows.ringRow, rows.ringMax),
    lesions: take(rows.lesionRow, rows.lesionMax),
  };
}

/** One layer of one chunk of live cells counted into `counts` (its entries' state and owner from shell_nearest). */
export function encodeCounts(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipeline: GPUComputePipeline,
  plan: ShellPlan,
  tables: ShellTables,
  layout: LiveLayout,
  layer: number,
  window: FatWindow,
  rows: CountRows,
  bufs: {
    state: GPUBuffer;
    owner: GPUBuffer;
    guardDist: GPUBuffer | null;
    tables: GPUBuffer;
    /** Word offset of the live cells in `tables`. */
    liveOffset: number;
    /** The HU of the chunk's entries (live-cells.ts entryHu: two int16 per word). */
    hu: GPUBuffer;
    counts: GPUBuffer;
    undecided: GPUBuffer;
  },
  chunk: LiveChunk & { guardBase: number; tag: string },
): void {
  const guardOn = bufs.guardDist !== null && plan.guardMm !== null;
  const params = scope.uniform(
    `shell_counts.params${chunk.tag}[${layer}]`,
    packUniform(SHELL_COUNTS.params!, {
      ...labelUniform(plan, tables, layout, layer, guardOn, bufs.liveOffset, chunk),
      tieLayers: plan.tieLayerCount,
      lesionLayers: plan.lesionLayerCount,
      bins: rows.bins,
      fatLo: window.lo,
      fatHi: window.hi,
      voiRow: rows.voiRow,
      ringRow: rows.ringRow,
      lesionRow: rows.lesionRow,
      pad0: 0,
      pad1: 0,
      pad2: 0,
    }),
  );
  encodeKernel(
    ctx,
    enc,
    pipeline,
    SHELL_COUNTS,
    `shell_counts${chunk.tag}[${layer}]`,
    {
      params,
      state: bufs.state,
      owner: bufs.owner,
      guardDist: bufs.guardDist ?? scope.storage('shell_counts.guardDist(unused)', 16),
      tables: bufs.tables,
      hu: bufs.hu,
      counts: bufs.counts,
      undecided: bufs.undecided,
    },
    gridFor(ctx, chunk.count * layout.cellVoxels),
  );
}
