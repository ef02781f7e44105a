/**
 * What crosses between Node and the headless page: method names, their JSON arguments, and
 * results. Bulk data never goes through JSON: volumes are fetched from the local server as blobs
 * and big results are posted back to it.
 */
import type { SerializedPerifatError } from '../../errors';
import type { AdapterSummary } from '../../measure/report-types';

export type CallResult<T> =
  { ok: true; value: T } | { ok: false; error: SerializedPerifatError | { name: string; message: string } };

export interface AdapterReport {
  adapter: AdapterSummary;
  limits: Record<string, number>;
  features: string[];
  hostCores: number;
}

/** The page-side object the runner calls: `window.perifat.call(method, args)`. */
export interface PageApi {
  call(method: string, args: unknown): Promise<CallResult<unknown>>;
}

export interface GridJson {
  dims: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: [number, number, number, number, number, number, number, number, number];
}

export interface MeasureCall {
  ct: GridJson & { kvp: number | null; source: string; huBlob: string; doubts?: string[]; kvpDoubt?: string };
  /** On the CT grid, one byte per voxel. */
  pericardium: { source: string; labelsBlob: string; doubts?: string[] } | null;
  vessels: import('../../volume/vessels').VesselSet | null;
  /** Derive the centerlines on the page (masks on the CT grid, one byte per voxel), when no vessels. */
  centerlines?: {
    coronaryMask: { source: string; labelsBlob: string } | null;
    aorta: { source: string; labelsBlob: string } | null;
    labelNames?: Record<number, string>;
    trace?: import('../../centerlines/trace-spec').TraceRequest[];
  } | null;
  lesions?: import('../../volume/vessels').Lesion[];
  options: Partial<import('../../measure/options').MeasureOptions>;
  maxBindingBytes?: number;
  /** The shell_nearest kernel to run instead of the adapter's (`perifat bench` measures both). */
  nearest?: 'packet' | 'voxel';
  /** Time every kernel with timestamp queries (where offered): `gpu.<kernel>` entries of timingsMs. */
  profile?: boolean;
  /** Post the VOI / ring / lesion label layers back to the server for mask outputs. */
  wantLayers?: boolean;
}

export interface MeasureReply {
  report: import('../../measure/report-types').Report;
  /** Upload ids of the label layers (crop grid), when asked for. */
  layers: {
    crop: { lo: [number, number, number]; hi: [number, number, number] };
    dims: [number, number, number];
    vessels: string[];
    voi: string;
    rings: string;
    lesions: string[];
    /** Tie layers beyond the first (vessels sharing a stem): upload ids of their voi and rings. */
    ties?: { voi: string; rings: string }[];
  } | null;
}

/** Derive centerlines on the page's GPU (the EDT kernel): the CT and what to derive them from. */
export interface CenterlinesCall {
  ct: MeasureCall['ct'];
  centerlines: NonNullable<MeasureCall['centerlines']>;
}
