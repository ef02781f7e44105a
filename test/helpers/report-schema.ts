/** Reports checked against the package's shipped JSON Schema (schema/report.schema.json). */
import { readFileSync } from 'node:fs';
import { schemaErrors } from './json-schema';

export const REPORT_JSON_SCHEMA = JSON.parse(
  readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** Throws, listing every violation, when `report` does not conform (as it reads back from JSON). */
export function assertReportSchema(report: unknown, what = 'report'): void {
  // JSON would write NaN and Infinity as null, which the schema allows: find them first.
  const errors = nonFinite(report, '$');
  errors.push(...schemaErrors(JSON.parse(JSON.stringify(report)) as unknown, REPORT_JSON_SCHEMA));
  if (errors.length) throw new Error(`${what} does not conform to report.schema.json:\n  ${errors.join('\n  ')}`);
}

function nonFinite(v: unknown, path: string): string[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [`${path}: ${v} (not finite)`];
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => nonFinite(x, `${path}.${k}`));
}
