/**
 * Differences between two reports of one input: HU and other means within `huTol`, voxel counts
 * exactly (every backend reports the float64 definition), volumes and fractions within a relative
 * 1e-9. Provenance (backend, timings, warnings, input, diagnostics) is skipped. Returns
 * human-readable lines (`path: a vs b`), empty when the reports agree. The bench's --check and the
 * tests' reportDiff both use it.
 */
import type { Report } from './report-types';

const COUNT_KEYS = new Set(['fatVoxels', 'voiVoxels']);
const SKIP_KEYS = new Set(['backend', 'timingsMs', 'warnings', 'input', 'source', 'diagnostics']);

export function reportDifferences(a: Report, b: Report, huTol = 0.01): string[] {
  const out: string[] = [];
  walk(a, b, '', huTol, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, tol: number, out: string[]): void {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if (typeof a === 'number' && typeof b === 'number') {
      const key = path.split('.').at(-1) ?? '';
      const exact = COUNT_KEYS.has(key);
      const rel = key === 'fatFraction' || key === 'volumeMl' || key === 'fatVolumeMl' ? 1e-9 : 0;
      const ok = exact ? a === b : Math.abs(a - b) <= Math.max(tol, rel * Math.abs(b));
      if (!ok) out.push(`${path}: ${a} vs ${b}`);
    } else if (a !== b) {
      out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    return;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path}: array vs object`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
    out.push(`${path}: length ${a.length} vs ${b.length}`);
    return;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (SKIP_KEYS.has(k)) continue;
    walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, tol, out);
  }
}
