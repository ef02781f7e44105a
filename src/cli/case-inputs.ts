/**
 * What `perifat measure` and `perifat batch` share between reading a case and writing its
 * outputs: lesions from flags or JSON, and the masks folder's files (src/io/mask-files.ts).
 */
import { readFileSync } from 'node:fs';
import { PerifatError } from '../errors';
import type { Lesion, VesselSet } from '../volume/vessels';
import { parseLesionSpecs } from './args';

/** Adds lesions given as VESSEL:START-END items or JSON files (`{"lesions": [...]}`). */
export function withLesions(vessels: VesselSet | null, specs: readonly string[]): VesselSet {
  if (!vessels) throw new PerifatError('E_OPTIONS', '--lesions needs --vessels (or centerlines to derive)');
  return { ...vessels, lesions: [...vessels.lesions, ...lesionsOf(specs)] };
}

/** Lesions given as VESSEL:START-END items or JSON files (`{"lesions": [...]}`). */
export function lesionsOf(specs: readonly string[]): Lesion[] {
  const lesions: Lesion[] = [];
  for (const spec of specs) {
    if (spec.toLowerCase().endsWith('.json')) lesions.push(...lesionsFromJson(spec));
    else lesions.push(...parseLesionSpecs([spec]));
  }
  return lesions;
}

function lesionsFromJson(path: string): Lesion[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PerifatError('E_INPUT_FORMAT', `not readable JSON: ${(e as Error).message}`, { file: path });
  }
  const list = (doc as { lesions?: unknown }).lesions;
  if (!Array.isArray(list)) throw new PerifatError('E_INPUT_FORMAT', 'expected a "lesions" array', { file: path });
  return list.map((l: unknown, i) => {
    const x = l as { vessel?: unknown; start_mm?: unknown; end_mm?: unknown };
    if (typeof x.vessel !== 'string' || typeof x.start_mm !== 'number' || typeof x.end_mm !== 'number') {
      throw new PerifatError('E_INPUT_FORMAT', `lesion ${i}: needs vessel, start_mm, end_mm`, { file: path });
    }
    return { vessel: x.vessel, startMm: x.start_mm, endMm: x.end_mm };
  });
}

export { maskFiles } from '../io/mask-files';
