/** Every kernel perifat dispatches, so tests can check each one's declarations against its WGSL. */
import { FAT_STATS } from './fat-stats';
import type { KernelDecl } from './types';

export const KERNELS: readonly KernelDecl[] = [FAT_STATS];
