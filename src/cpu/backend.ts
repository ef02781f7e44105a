/** The CPU backend: the reference kernels behind the measurement interface (fallback and oracle). */
import type { IntCt, MeasureBackend } from '../measure/backend';
import type {
  PericoronaryExtra,
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from '../measure/pericoronary-types';
import type { BackendInfo } from '../measure/report-types';
import type { FatWindow } from '../stats/fat-window';
import type { LabelHistograms } from '../stats/label-stats';
import { fatStatsCpu } from './fat-stats';
import { pericoronaryHistogramsCpu } from './pericoronary';

export class CpuMeasureBackend implements MeasureBackend {
  readonly info: BackendInfo;

  constructor(runtime: BackendInfo['runtime'] = 'node') {
    this.info = { api: 'cpu', runtime, adapter: null };
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
    return pericoronaryHistogramsCpu(ct, vessels, lesions, opts, extra);
  }
}
