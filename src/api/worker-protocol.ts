/** Messages between a page and the perifat worker (src/api/worker.ts, src/api/worker-client.ts). */
import type { TraceRequest } from '../centerlines/trace-spec';
import type { DerivedCenterlines } from '../centerlines/types';
import type { SerializedPerifatError } from '../errors';
import type { MeasureProgress } from '../measure/control';
import type { BackendInfo, Report } from '../measure/report-types';
import type { BytesInput } from '../io/input-file';
import type { MeasureLayers } from '../measure/measure';
import type { CenterlinesRequest, MeasureCallOptions, MeasureRequest } from './engine';

/** Options that cross to the worker: everything but the signal and the callback. */
export type WorkerMeasureOptions = Omit<MeasureCallOptions, 'signal' | 'onProgress'>;

/** Files the worker reads itself (Blobs are cheap to post, buffers are transferred). */
export interface FileRequest {
  readonly ct: BytesInput | readonly BytesInput[];
  readonly pericardium?: BytesInput | null;
  readonly vessels?: BytesInput | string | null;
  /**
   * Without `vessels`: a coronary lumen mask (NIfTI or DICOM SEG) on the CT grid exactly, from which
   * the measurement derives the centerlines, with an optional aorta mask (the ostia) and the names of
   * a multi-label mask's labels — as `perifat measure --coronary-mask --aorta --coronary-labels`.
   */
  readonly coronaryMask?: BytesInput | null;
  readonly aorta?: BytesInput | null;
  readonly coronaryLabels?: Readonly<Record<number, string>>;
  /** Without `vessels` and a coronary mask: vessels traced on the CT (ostium, waypoints, distal end; LPS mm). */
  readonly trace?: readonly TraceRequest[];
}

export type ToWorker =
  | { readonly id: number; readonly type: 'init'; readonly backend: 'webgpu' | 'cpu' | 'auto' }
  | {
      readonly id: number;
      readonly type: 'measure';
      readonly request: MeasureRequest;
      readonly options: WorkerMeasureOptions;
      /** Send back the layers and the input volumes (measureDetailed / measureFilesDetailed). */
      readonly detailed?: boolean;
    }
  | {
      readonly id: number;
      readonly type: 'measureFiles';
      readonly files: FileRequest;
      readonly options: WorkerMeasureOptions;
      readonly detailed?: boolean;
    }
  | { readonly id: number; readonly type: 'centerlines'; readonly request: CenterlinesRequest }
  | { readonly id: number; readonly type: 'abort' }
  | { readonly id: number; readonly type: 'destroy' };

export type FromWorker =
  | { readonly id: number; readonly type: 'ready'; readonly backend: BackendInfo }
  | { readonly id: number; readonly type: 'progress'; readonly progress: MeasureProgress }
  | { readonly id: number; readonly type: 'report'; readonly report: Report }
  | {
      readonly id: number;
      readonly type: 'detailed';
      readonly report: Report;
      readonly layers: MeasureLayers | null;
      /** The volumes measured (read in the worker, or sent to it), transferred back for display. */
      readonly input: MeasureRequest;
    }
  | { readonly id: number; readonly type: 'centerlines'; readonly centerlines: DerivedCenterlines }
  | { readonly id: number; readonly type: 'error'; readonly error: SerializedPerifatError };
