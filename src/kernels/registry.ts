/** Every kernel perifat dispatches, so tests can check each one's declarations against its WGSL. */
import { EDT_DISTANCE } from './edt';
import { FAT_STATS, FAT_STATS_PRIVATE } from './fat-stats';
import { FEATURE_INIT, FEATURE_PASS, FEATURE_SEED } from './feature-transform';
import { SHELL_LABELS } from './shell-labels';
import { SHELL_NEAREST } from './shell-nearest';
import type { KernelDecl } from './types';

export const KERNELS: readonly KernelDecl[] = [
  FAT_STATS,
  FAT_STATS_PRIVATE,
  FEATURE_INIT,
  FEATURE_SEED,
  FEATURE_PASS,
  EDT_DISTANCE,
  SHELL_NEAREST,
  SHELL_LABELS,
];
