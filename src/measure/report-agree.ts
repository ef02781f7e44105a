/**
 * Whether two reports of one input give the same measurement: every number of the EAT, vessel and
 * lesion results equal within a relative 1e-9 (counts exactly: they are integers), every other
 * value identical. What may differ between backends — timings, diagnostics, the backend, warnings
 * about the backend — is not compared. Returns the first difference's path, or null.
 */
import type { Report } from './report-types';

export function reportsDisagree(a: Report, b: Report): string | null {
  return walk(
    { eat: a.eat, vessels: a.vessels, lesions: a.lesions },
    { eat: b.eat, vessels: b.vessels, lesions: b.lesions },
    '',
  );
}

function walk(x: unknown, y: unknown, path: string): string | null {
  if (typeof x === 'number' && typeof y === 'number') {
    return Object.is(x, y) || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)) ? null : `${path}: ${x} vs ${y}`;
  }
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
    return x === y ? null : `${path}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
  }
  if (Array.isArray(x) !== Array.isArray(y)) return `${path}: array vs object`;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) {
    const d = walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}
