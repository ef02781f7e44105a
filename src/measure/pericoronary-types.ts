/**
 * The contract between the measurement (src/measure) and the backends that label pericoronary
 * shells and count fat in them (src/backends/webgpu with src/kernels, src/backends/cpu). Both backends return
 * the same histograms for the same inputs; every reported number is then derived from them by
 * shared host code, so backends cannot disagree in how statistics are computed.
 */
import type { FatWindow } from '../stats/fat-window';
import type { MeasureControl } from './control';
import type { LabelHistograms } from '../stats/label-stats';
import type { Vec3 } from '../volume/geometry';

/** Rings of the radial profile: k mm < w ≤ k+1 mm, k = 0…RING_COUNT−1 (METHOD.md §4). */
export const RING_COUNT = 20;
export const RING_WIDTH_MM = 1;
/** Ring labels use 1 + vessel·20 + k in a u8 labelmap, so one layer holds 12 vessels. */
export const MAX_VESSELS = Math.floor(255 / RING_COUNT);

export interface PreparedVessel {
  readonly name: string;
  /**
   * Position in the request. No number depends on it: an exact ownership tie counts for every tied
   * vessel (METHOD.md §4); it only orders the tie layers (ShellLayers).
   */
  readonly index: number;
  /** Centerline in LPS mm, ordered from the ostium. */
  readonly points: readonly Vec3[];
  /** Lumen radius (mm) at each point. */
  readonly radii: readonly number[];
  /** Arc length (mm) from the ostium at each point. */
  readonly arcMm: Float64Array;
  /** Segment [s0, s1] in mm of arc length, inclusive. */
  readonly segmentMm: readonly [number, number];
}

export interface PreparedLesion {
  /** Index of its vessel in the prepared vessel list. */
  readonly vesselIndex: number;
  readonly startMm: number;
  readonly endMm: number;
}

export interface ShellOptions {
  readonly window: FatWindow;
  /** Exclude 0 < w ≤ wallGapMm from every per-vessel region (0 = off). */
  readonly wallGapMm: number;
  /** Exclude voxels within this distance (mm) of voxels ≥ calciumHu outside every lumen; null = off. */
  readonly calciumGuardMm: number | null;
  readonly calciumHu: number;
}

/**
 * Fat histograms of every per-vessel region. Label numbering:
 * - voi:     1 + vesselIndex                    (0 < w ≤ 2r, s in the vessel's segment)
 * - rings:   1 + vesselIndex·RING_COUNT + k     (k < w ≤ k+1, s in the segment)
 * - lesions: 1 + lesionIndex                    (0 < w ≤ 2r, s in the lesion's interval, on its vessel)
 * All regions take only voxels owned by that vessel (an exact tie counts for every tied vessel),
 * outside every lumen, minus wall gap and calcium guard. Near (0 < w ≤ 5) and remote (10 < w ≤ 20) fat are unions of rings.
 */
export interface PericoronaryHistograms {
  readonly voi: LabelHistograms;
  readonly rings: LabelHistograms;
  /** Null when there are no lesions. */
  readonly lesions: LabelHistograms | null;
  /** The sub-box of the CT (voxel index ranges, [lo, hi) per axis) the shells were computed in. */
  readonly crop: { readonly lo: Vec3; readonly hi: Vec3 };
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly diagnostics: ShellDiagnostics;
}

/**
 * The label layers of the crop (voxel order i fastest, crop dims), for writing VOI/ring masks. A
 * voxel where several vessels tie exactly (METHOD.md §4) belongs to each: `voi` and `rings` hold
 * the lowest-index tied vessel's labels, `ties[t − 1]` the t-th tied vessel's (in index order);
 * a viewer shows a voxel in a vessel's VOI when any of these layers gives it that vessel's label.
 */
export interface ShellLayers {
  readonly dims: [number, number, number];
  readonly voi: Uint8Array;
  readonly rings: Uint8Array;
  /** One layer per group of lesions that share no voxel (lesion labels are 1 + lesion index in all). */
  readonly lesions: Uint8Array[];
  /** Tie layers beyond the first (absent or empty where no two vessels tie). */
  readonly ties?: readonly { readonly voi: Uint8Array; readonly rings: Uint8Array }[];
}

/**
 * The classification's work: the index's cells, the live ones (where a label can be: the only ones
 * either backend visits) and the crop voxels in them, and the segment projections evaluated in f32
 * (WebGPU's kernels; 0 on the CPU backend) and in float64 (all of the CPU backend's; WebGPU's settling).
 */
export interface ShellWork {
  readonly cells: number;
  readonly liveCells: number;
  readonly voxels: number;
  readonly f32Evaluations: number;
  readonly float64Evaluations: number;
}

/** The work the exact pericoronary path did (the report's diagnostics.pericoronary). */
export interface ShellDiagnostics {
  /**
   * 'float64': every crop voxel classified in float64 (CPU backend); 'f32+float64': f32 kernels,
   * the voxels they cannot decide settled in float64 (WebGPU); 'empty': no voxel near a vessel.
   */
  readonly method: 'float64' | 'f32+float64' | 'empty';
  readonly cropVoxels: number;
  /** Centerline parts (a stem shared by several vessels counts once). */
  readonly parts: number;
  /** Entries of the candidate index: (cell, segment) pairs kept. */
  readonly candidates: number;
  /** Segment projections evaluated in float64. */
  readonly evaluations: number;
  /** The work of the classification, counted the same way on both backends. */
  readonly work?: ShellWork;
  /** Z-slabs the crop was cut into to fit the adapter's storage binding limit (WebGPU). */
  readonly slabs?: number;
  /** Worker threads that shared the float64 classification (CPU backend). */
  readonly workers?: number;
  /**
   * The CPU backend's float64 inner loop: 'wasm' (WebAssembly), or 'js' where WebAssembly is
   * unavailable (e.g. refused by a page's CSP). Same labels either way, the JS twin slower.
   */
  readonly inner?: 'wasm' | 'js';
  /**
   * The WebGPU backend's shell_nearest kernel: 'packet' (four voxels per invocation) or 'voxel'
   * (one; SwiftShader's). Same words either way.
   */
  readonly nearestKernel?: 'packet' | 'voxel';
  /** Voxels the f32 kernels left to float64, by reason and by (f32) owning vessel. */
  readonly undecided?: {
    readonly total: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly byVessel: Readonly<Record<string, number>>;
  };
}

export interface PericoronaryExtra {
  /** Also return the label layers of the crop. */
  readonly returnLayers?: boolean;
  /** Cancellation and progress (fractions of this stage, 0…1). */
  readonly control?: MeasureControl;
}

export type PericoronaryResult = PericoronaryHistograms & { readonly layers?: ShellLayers };
