/** The test page's fat-statistics job: arguments and reply. */
export interface FatStatsCall {
  dims: [number, number, number];
  /** Blob ids on the local server: int16 HU and u8 labels, voxel order i fastest. */
  huBlob: string;
  labelsBlob: string;
  maxLabel: number;
  window: { lo: number; hi: number };
  maxBindingBytes?: number;
  /** Force a kernel variant (tests run both). */
  variant?: 'shared' | 'private';
  /** Repeat the dispatch this many times and report each wall time (benchmarks). */
  repeats?: number;
}

export interface FatStatsReply {
  voxels: number[];
  histogram: number[];
  slabs: number;
  /** Wall time of each repeat, ms: dispatch + read-back, HU and labels already on the GPU. */
  timesMs: number[];
  uploadMs: number;
}
