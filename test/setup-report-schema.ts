/**
 * Every report a test makes in this process conforms to the shipped schema/report.schema.json:
 * measure() and measureDetailed() (src/measure/measure.ts, which every backend, the Engine and the
 * CLI go through) are wrapped to check what they return. Reports made in Chromium or another
 * process are checked where tests read them back (test/helpers/report-diff.ts).
 */
import { vi } from 'vitest';
import type * as Measure from '../src/measure/measure';
import { assertReportSchema } from './helpers/report-schema';

vi.mock('../src/measure/measure', async (importOriginal) => {
  const real = await importOriginal<typeof Measure>();
  return {
    ...real,
    measure: async (...args: Parameters<typeof real.measure>) => {
      const report = await real.measure(...args);
      assertReportSchema(report);
      return report;
    },
    measureDetailed: async (...args: Parameters<typeof real.measureDetailed>) => {
      const result = await real.measureDetailed(...args);
      assertReportSchema(result.report);
      return result;
    },
  };
});
