/**
 * Installs `window.perifat.call(method, args)` on a page with a table of jobs; errors come back as
 * data, typed errors keep their code. The product page (entry.ts) and the tests' page
 * (test/harness/page) each call it with their own table.
 */
import { PerifatError } from '../../errors';
import type { CallResult, PageApi } from './protocol';

export type PageJob = (args: never) => Promise<unknown>;

export function servePage(table: Readonly<Record<string, PageJob>>): void {
  const api: PageApi = {
    async call(method: string, args: unknown): Promise<CallResult<unknown>> {
      const job = Object.hasOwn(table, method) ? table[method] : undefined;
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
}
