/**
 * The CPU backend: fat statistics by the reference kernel, pericoronary shells in float64 by the
 * definition (src/shells), behind the measurement interface.
 */
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
import { edtCpu } from '../../kernels/edt/edt.cpu';
import type { Vec3 } from '../../volume/geometry';
import { fatStatsCpu } from '../../kernels/fat-stats/fat-stats.cpu';
import { type CropClassifier, classifyHere, pericoronaryF64 } from './pericoronary';

export class CpuMeasureBackend implements MeasureBackend {
  readonly info: BackendInfo;
  private readonly classify: CropClassifier;

  /** @param classify how the float64 shells run: on this thread (default) or a platform's worker pool. */
  constructor(runtime: BackendInfo['runtime'] = 'node', opts: { classify?: CropClassifier } = {}) {
    this.info = { api: 'cpu', runtime, adapter: null };
    this.classify = opts.classify ?? classifyHere;
  }

  async fatHistograms(ct: IntCt, labels: Uint8Array, maxLabel: number, window: FatWindow): Promise<LabelHistograms> {
    return fatStatsCpu(ct.hu, labels, maxLabel, window);
  }

  async pericoronary(
    ct: IntCt,
    vessels: PreparedVessel[],
    lesions: PreparedLesion[],
    opts: ShellOptions,
    extra: PericoronaryExtra = {},
  ): Promise<PericoronaryResult> {
    return pericoronaryF64(ct, vessels, lesions, opts, extra, this.classify);
  }

  /** The EDT's CPU twin: the same f32 bits as the GPU kernel. */
  async edt(dims: Vec3, spacing: Vec3, mask: Uint8Array): Promise<Float32Array> {
    return edtCpu(dims, spacing, mask);
  }
}
