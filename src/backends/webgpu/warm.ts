/**
 * Compiles ahead of a first measurement the kernels every measurement on this adapter runs: the
 * EAT's fat statistics over the default fat window and the adapter's shell_nearest (the largest
 * shader). A page or engine starts it as soon as it has its device, so the compile overlaps what
 * the user or the host does next (choosing files, reading them) instead of the measurement. The
 * caller lets it settle before its first GPU work: a compile keeps error scopes on the device's
 * stack while it runs.
 */
import type { GpuContext } from '../../gpu/device';
import { fatStatsPipeline } from '../../kernels/fat-stats/fat-stats';
import { shellNearestPipeline } from '../../kernels/shell-nearest/shell-nearest';
import { DEFAULT_FAT_WINDOW } from '../../stats/fat-window';

/** Resolves once both are compiled (into the device's pipeline cache); a failure is the measurement's to report. */
export async function warmPipelines(ctx: GpuContext): Promise<void> {
  await Promise.all([
    fatStatsPipeline(ctx, 1, DEFAULT_FAT_WINDOW).catch(() => undefined),
    shellNearestPipeline(ctx).catch(() => undefined),
  ]);
}
