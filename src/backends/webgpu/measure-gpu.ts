/** The WebGPU backend behind the measurement interface. */
import type { IntCt, MeasureBackend } from '../../measure/backend';
import type {
  PericoronaryExtra,
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from '../../measure/pericoronary-types';
import type { BackendInfo } from '../../measure/report-types';
import type { FatWindow } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';
import type { GpuBackend } from './gpu-backend';
import { pericoronaryHistogramsGpu } from './pericoronary';
import { edtGpu } from '../../kernels/edt/edt';
import type { Vec3 } from '../../volume/geometry';

export class GpuMeasureBackend implements MeasureBackend {
  readonly info: BackendInfo;

  constructor(
    private readonly gpu: GpuBackend,
    runtime: BackendInfo['runtime'],
  ) {
    this.info = { api: 'webgpu', runtime, adapter: gpu.ctx.adapter };
  }

  fatHistograms(ct: IntCt, labels: Uint8Array, maxLabel: number, window: FatWindow): Promise<LabelHistograms> {
    return this.gpu.fatStats(ct.dims, ct.hu, labels, { maxLabel, window });
  }

  pericoronary(
    ct: IntCt,
    vessels: PreparedVessel[],
    lesions: PreparedLesion[],
    opts: ShellOptions,
    extra: PericoronaryExtra = {},
  ): Promise<PericoronaryResult> {
    return pericoronaryHistogramsGpu(this.gpu, ct, vessels, lesions, opts, extra);
  }

  /** The EDT kernel on this backend's device (src/kernels/edt): the centerlines' distance to the wall. */
  edt(dims: Vec3, spacing: Vec3, mask: Uint8Array): Promise<Float32Array> {
    return edtGpu(this.gpu.ctx, dims, spacing, mask);
  }
}
