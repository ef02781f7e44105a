/**
 * Every kernel perifat dispatches, so tests can check each one's declarations against its WGSL. A new
 * kernel is a folder src/kernels/<k>/ (<k>.wgsl, <k>.ts, <k>.cpu.ts) listed here, with
 * test/kernels/<k>.test.ts and <k>.gpu.test.ts.
 */
import { EDT_DISTANCE } from './edt/edt';
import { FAT_STATS, FAT_STATS_PRIVATE } from './fat-stats/fat-stats';
import { FEATURE_INIT, FEATURE_PASS } from './feature-transform/feature-transform';
import { SHELL_COUNTS } from './shell-counts/shell-counts';
import { SHELL_LABELS } from './shell-labels/shell-labels';
import { SHELL_NEAREST, SHELL_NEAREST_VOXEL } from './shell-nearest/shell-nearest';
import type { KernelDecl } from '../gpu/kernel-decl';

export const KERNELS: readonly KernelDecl[] = [
  FAT_STATS,
  FAT_STATS_PRIVATE,
  FEATURE_INIT,
  FEATURE_PASS,
  EDT_DISTANCE,
  SHELL_NEAREST,
  SHELL_NEAREST_VOXEL,
  SHELL_LABELS,
  SHELL_COUNTS,
];
