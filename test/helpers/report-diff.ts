/**
 * Differences between two reports (src/measure/report-agree.ts: HU and other means within `huTol`,
 * voxel counts exactly, provenance skipped), as lines so a failing test says exactly which number
 * differs. Both reports must conform to schema/report.schema.json (it throws listing the violations).
 */
import { reportDifferences } from '../../src/measure/report-agree';
import type { Report } from '../../src/measure/report-types';
import { assertReportSchema } from './report-schema';

export function reportDiff(a: Report, b: Report, huTol = 0.01): string[] {
  // Both sides conform to the shipped schema (reports made in Chromium or another process included).
  assertReportSchema(a, 'the report compared');
  assertReportSchema(b, 'the reference report');
  return reportDifferences(a, b, huTol);
}
