/**
 * Entry of the browser bundle that the headless-Chromium runner loads. It exposes
 * `window.perifat.call(method, args)`; errors come back as data, typed errors keep their code.
 */
import { PerifatError } from '../errors';
import * as jobs from './jobs';
import * as distanceJobs from './jobs-distance';
import { engineLifecycle, errorSurfacing } from './jobs-diagnostics';
import { measureJob } from './jobs-measure';
import type { CallResult, PageApi } from './protocol';

type Job = (args: never) => Promise<unknown>;
const table: Record<string, Job> = {
  adapter: jobs.adapterReport,
  fatStats: jobs.fatStats,
  edt: distanceJobs.edt,
  featureTransform: distanceJobs.featureTransform,
  pericoronary: distanceJobs.pericoronary,
  errorSurfacing,
  engineLifecycle,
  measure: measureJob,
};

const api: PageApi = {
  async call(method: string, args: unknown): Promise<CallResult<unknown>> {
    const job = table[method];
    if (!job) return { ok: false, error: { name: 'Error', message: `unknown method ${method}` } };
    try {
      return { ok: true, value: await job(args as never) };
    } catch (e) {
      if (e instanceof PerifatError) return { ok: false, error: e.toJSON() };
      const err = e instanceof Error ? e : new Error(String(e));
      return { ok: false, error: { name: err.name, message: err.message } };
    }
  },
};

(globalThis as unknown as { perifat: PageApi }).perifat = api;
