/**
 * What a measurement needs from a compute backend. The WebGPU backend (a page, a worker, or headless
 * Chromium driven from Node) and the CPU backend implement it and return identical histograms.
 * A new backend is a folder of src/backends/ implementing this interface.
 */
import type { MeasureControl } from './control';
import type { FatWindow } from '../stats/fat-window';
import type { Vec3 } from '../volume/geometry';
import type { LabelHistograms } from '../stats/label-stats';
import type { CtVolume } from '../volume/volume';
import type {
  PericoronaryExtra,
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from './pericoronary-types';
import type { BackendInfo } from './report-types';

export interface MeasureBackend {
  readonly info: BackendInfo;
  /** Fat histograms of labels 1…maxLabel of a labelmap on the CT grid (cancellable through `control`). */
  fatHistograms(
    ct: IntCt,
    labels: Uint8Array,
    maxLabel: number,
    window: FatWindow,
    control?: MeasureControl,
  ): Promise<LabelHistograms>;
  pericoronary(
    ct: IntCt,
    vessels: PreparedVessel[],
    lesions: PreparedLesion[],
    opts: ShellOptions,
    extra?: PericoronaryExtra,
  ): Promise<PericoronaryResult>;
  /**
   * The exact anisotropic EDT (src/kernels/edt): unsigned squared distance (mm², f32) of every voxel
   * to the nearest voxel where `mask` ≠ 0. GPU and CPU give identical bits, so centerlines derived
   * from it are the same on every backend.
   */
  edt(dims: Vec3, spacing: Vec3, mask: Uint8Array): Promise<Float32Array>;
}

/** A CT whose HU are int16 (what the kernels take). */
export type IntCt = CtVolume & { readonly hu: Int16Array };
