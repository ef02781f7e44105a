/** The product page's jobs by method name: the adapter report, a whole measurement, centerlines. */
import { adapterReport } from './jobs';
import { centerlinesJob } from './jobs-centerlines';
import { measureJob } from './jobs-measure';
import type { PageJob } from './serve';

export const PRODUCT_JOBS: Readonly<Record<string, PageJob>> = {
  adapter: adapterReport,
  measure: measureJob,
  centerlines: centerlinesJob,
};
