/**
 * The WebGPU compute backend: a device (handed in, never destroyed here) plus the volumes it made
 * resident on it. A CT is uploaded once per backend and the EAT statistics read it from there; the
 * pericoronary shells upload their own crop (src/backends/webgpu/pericoronary.ts), cut into z-slabs by
 * the same binding limit.
 */
import { PerifatError } from '../../errors';
import { fatStatsGpu, type FatStatsOptions } from '../../kernels/fat-stats/fat-stats';
import type { LabelHistograms } from '../../stats/label-stats';
import type { Vec3 } from '../../volume/geometry';
import type { GpuContext } from '../../gpu/device';
import { type GpuVolume, bindingLimit, planVolumeSlabs, uploadHu, uploadLabels } from '../../gpu/gpu-volume';
import type { Slab } from '../../gpu/slabs';
import type { NearestVariant } from '../../kernels/shell-nearest/shell-nearest';
import type { IndexBuilder } from '../../shells/index-shares';

export interface GpuBackendOptions {
  /** Plan z-slabs for this binding size instead of the adapter's (tests force the slab path with it). */
  maxBindingBytes?: number;
  /** The shell_nearest kernel to run instead of the adapter's (the bench measures both). */
  nearest?: NearestVariant | undefined;
  /**
   * Builds the live candidate index over a platform's threads (src/platform/node/index-workers.ts);
   * without one the page's thread builds it in steps.
   */
  buildIndex?: IndexBuilder | undefined;
}

export class GpuBackend {
  readonly ctx: GpuContext;
  private readonly maxBindingBytes: number | undefined;
  readonly nearest: NearestVariant | undefined;
  readonly buildIndex: IndexBuilder | undefined;
  private readonly resident = new WeakMap<Int16Array, { dims: Vec3; slabs: Slab[]; volume: GpuVolume }>();
  private readonly owned: GpuVolume[] = [];

  constructor(ctx: GpuContext, opts: GpuBackendOptions = {}) {
    this.ctx = ctx;
    this.maxBindingBytes = opts.maxBindingBytes;
    this.nearest = opts.nearest;
    this.buildIndex = opts.buildIndex;
  }

  /** The largest storage binding this backend plans for (the adapter's, or the tests' smaller one). */
  bindingLimit(): number {
    return bindingLimit(this.ctx, this.maxBindingBytes);
  }

  /** The CT on the GPU, uploaded on first use. */
  huVolume(dims: Vec3, hu: Int16Array): GpuVolume {
    const hit = this.resident.get(hu);
    if (hit && hit.dims.every((d, i) => d === dims[i])) return hit.volume;
    const slabs = planVolumeSlabs(this.ctx, dims, this.maxBindingBytes);
    const volume = uploadHu(this.ctx, dims, hu, slabs);
    this.resident.set(hu, { dims, slabs, volume });
    this.owned.push(volume);
    return volume;
  }

  /** Fat statistics per label of a host labelmap on the CT's grid. */
  async fatStats(dims: Vec3, hu: Int16Array, labels: Uint8Array, opts: FatStatsOptions): Promise<LabelHistograms> {
    if (labels.length !== hu.length) {
      throw new PerifatError('E_MASK_GRID', `labelmap has ${labels.length} voxels, CT has ${hu.length}`);
    }
    const huVol = this.huVolume(dims, hu);
    const labVol = uploadLabels(this.ctx, dims, labels, huVol.slabs);
    try {
      return await fatStatsGpu(this.ctx, huVol, labVol, opts);
    } finally {
      labVol.destroy();
    }
  }

  /** Destroys what this backend made on the device; the context belongs to whoever handed it in. */
  dispose(): void {
    for (const v of this.owned.splice(0)) v.destroy();
  }
}
