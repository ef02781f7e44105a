/**
 * Entry of the page the headless-Chromium runner ships and loads: the product's jobs only
 * (product-jobs.ts). Test and benchmark jobs live in test/harness/page, whose page extends them.
 */
import { PRODUCT_JOBS } from './product-jobs';
import { servePage } from './serve';

servePage(PRODUCT_JOBS);
