/**
 * Page jobs of the distance transforms and pericoronary shells (jobs-distance.ts):
 * arguments and replies. Volumes go to the page as blobs; per-voxel results come back through the
 * local server's upload endpoint (ids below), never through JSON, so ±∞ sentinels survive.
 */
import type { ShellDiagnostics, ShellOptions } from '../../../src/measure/pericoronary-types';

export type Dims = [number, number, number];

export interface EdtCall {
  dims: Dims;
  spacing: Dims;
  /** u8 mask blob, one byte per voxel, i fastest. */
  maskBlob: string;
  signed?: boolean;
  /** Repeat and time each run (benchmarks); the result of the last run is returned. */
  repeats?: number;
  /** Return only a digest of the result (wordDigest), not the result itself (big benchmarks). */
  digestOnly?: boolean;
}

export interface FeatureTransformCall {
  dims: Dims;
  spacing: Dims;
  /** Sites: the non-zero voxels of a u8 mask blob, or its zero voxels with `invert`. */
  maskBlob: string;
  invert?: boolean;
  repeats?: number;
  digestOnly?: boolean;
}

export interface DistanceReply {
  /** Upload id of the result: f32 squared distances (edt) or u32 site indices (featureTransform). */
  uploadId?: string;
  /** wordDigest of the result, when only that was asked for. */
  digest?: string;
  timesMs: number[];
}

/** FNV-1a over the 32-bit words of a result, so big results can be compared without moving them. */
export function wordDigest(a: Float32Array | Uint32Array): string {
  const w = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let h = 0x811c9dc5;
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    h = Math.imul(h ^ (w[i] as number), 0x01000193) >>> 0;
    sum = (sum + (w[i] as number)) >>> 0;
  }
  return `${h.toString(16)}:${sum.toString(16)}:${w.length}`;
}

export interface CtGeometryArgs {
  dims: Dims;
  spacing: Dims;
  origin: Dims;
  direction: [number, number, number, number, number, number, number, number, number];
}

export interface VesselArgs {
  name: string;
  index: number;
  points: Dims[];
  radii: number[];
  arcMm: number[];
  segmentMm: [number, number];
}

export interface PericoronaryCall {
  ct: CtGeometryArgs;
  /** int16 HU blob of the whole CT. */
  huBlob: string;
  vessels: VesselArgs[];
  lesions: { vesselIndex: number; startMm: number; endMm: number }[];
  opts: ShellOptions;
  returnLayers?: boolean;
  repeats?: number;
  /** Plan the crop's z-slabs for this binding size (tests force the slab path with it). */
  maxBindingBytes?: number;
  /** The shell_nearest kernel the shellNearest job runs (default: the adapter's). */
  nearestVariant?: 'packet' | 'voxel';
}

export interface HistogramsJson {
  maxLabel: number;
  voxels: number[];
  histogram: number[];
}

export interface PericoronaryReply {
  voi: HistogramsJson;
  rings: HistogramsJson;
  lesions: HistogramsJson | null;
  crop: { lo: Dims; hi: Dims };
  timingsMs: Record<string, number>;
  timesMs: number[];
  diagnostics: ShellDiagnostics;
  /** Upload ids of the layers (u8 per crop voxel) when asked for. */
  layers?: { dims: Dims; voi: string; rings: string; lesions: string[]; ties: { voi: string; rings: string }[] };
}

export interface ShellNearestReply {
  /** The kernel that ran. */
  variant: 'packet' | 'voxel';
  /** z-slabs the crop was cut into, and each slab's slices. */
  slabs: number;
  slabRanges: { z0: number; z1: number }[];
  /** The binding limit the layout was planned for. */
  limit: number;
  /** Chunks of live cells the kernel ran (src/shells/live-cells.ts). */
  chunks: number;
  /** Upload ids: f32 × 4 state words and u32 owner word per entry of the chunks, one after the other. */
  state: string;
  owner: string;
  /** The kernel's segment evaluations. */
  evaluations: number;
}
