/**
 * Entry of the page the headless-Chromium runner ships and loads: the product's jobs only (the
 * adapter report and a whole measurement). Test and benchmark jobs live in test/harness/page.
 */
import { adapterReport } from './jobs';
import { measureJob } from './jobs-measure';
import { type PageJob, servePage } from './serve';

/** The product page's jobs, by method name (the test page extends this table). */
export const PRODUCT_JOBS: Readonly<Record<string, PageJob>> = {
  adapter: adapterReport,
  measure: measureJob,
};

servePage(PRODUCT_JOBS);
