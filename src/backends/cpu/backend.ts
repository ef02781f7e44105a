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
import { type MeasureControl, slice } from '../../measure/control';
import { sumHistograms } from '../../shells/result';

/** Voxels per slab of the CPU fat statistics (~5 ms each). */
const FAT_SLAB_VOXELS = 1 << 19;

export class CpuMeasureBackend implements MeasureBackend {
  readonly info: BackendInfo;
  private readonly classify: CropClassifier;

  /** @param classify how the float64 shells run: on this thread (default) or a platform's worker pool. */
  constructor(runtime: BackendInfo['runtime'] = 'node', opts: { classify?: CropClassifier } = {}) {
    this.info = { api: 'cpu', runtime, adapter: null };
    this.classify = opts.classify ?? classifyHere;
  }

  /** Slab by slab (histograms add up exactly), with a slice() between slabs: cancel, progress, yield. */
  async fatHistograms(
    ct: IntCt,
    labels: Uint8Array,
    maxLabel: number,
    window: FatWindow,
    control?: MeasureControl,
  ): Promise<LabelHistograms> {
    const n = ct.hu.length;
    if (n <= FAT_SLAB_VOXELS) return fatStatsCpu(ct.hu, labels, maxLabel, window);
    const parts: LabelHistograms[] = [];
    for (let at = 0; at < n; at += FAT_SLAB_VOXELS) {
      const end = Math.min(n, at + FAT_SLAB_VOXELS);
      parts.push(fatStatsCpu(ct.hu.subarray(at, end), labels.subarray(at, end), maxLabel, window));
      await slice(control, 'eat', end / n);
    }
    return sumHistograms(parts) as LabelHistograms;
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
