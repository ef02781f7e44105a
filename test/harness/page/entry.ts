/**
 * Entry of the tests' page: the product's jobs plus the kernels alone (fat statistics, EDT, feature
 * transform, shell-nearest, the pericoronary pass), error surfacing and the engine's lifecycle. Built by build.ts
 * into dist/test-page/, never into the package.
 */
import { PRODUCT_JOBS } from '../../../src/platform/page/product-jobs';
import { servePage } from '../../../src/platform/page/serve';
import { engineLifecycle, errorSurfacing, warmedKernels } from './jobs-diagnostics';
import * as distance from './jobs-distance';
import { fatStats } from './jobs-fat-stats';

servePage({
  ...PRODUCT_JOBS,
  fatStats,
  edt: distance.edt,
  featureTransform: distance.featureTransform,
  pericoronary: distance.pericoronary,
  shellNearest: distance.shellNearest,
  errorSurfacing,
  warmedKernels,
  engineLifecycle,
});
