/**
 * What `perifat measure` and `perifat batch` share between reading a case and writing its
 * outputs: lesions from flags or JSON, and the masks folder's files.
 */
import { readFileSync } from 'node:fs';
import { fatMask } from '../cpu/masks';
import { PerifatError } from '../errors';
import { shellMaskFiles } from '../io/mask-outputs';
import { niftiFileBytes } from '../io/nifti-write';
import type { MeasureInput, MeasureLayers } from '../measure/measure';
import { withDefaults, type MeasureOptions } from '../measure/options';
import { eatLabels, integerCt } from '../measure/prepare';
import type { Report } from '../measure/report-types';
import type { Lesion, VesselSet } from '../volume/vessels';
import { parseLesionSpecs } from './args';

/** Adds lesions given as VESSEL:START-END items or JSON files (`{"lesions": [...]}`). */
export function withLesions(vessels: VesselSet | null, specs: readonly string[]): VesselSet {
  if (!vessels) throw new PerifatError('E_OPTIONS', '--lesions needs --vessels');
  const lesions: Lesion[] = [];
  for (const spec of specs) {
    if (spec.toLowerCase().endsWith('.json')) lesions.push(...lesionsFromJson(spec));
    else lesions.push(...parseLesionSpecs([spec]));
  }
  return { ...vessels, lesions: [...vessels.lesions, ...lesions] };
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

/** The masks folder's files: eat.nii.gz (with a pericardium) and the shell labelmaps (with layers). */
export function maskFiles(
  input: MeasureInput,
  options: Partial<MeasureOptions>,
  report: Report,
  layers: MeasureLayers | null,
): Map<string, Uint8Array> {
  const { ct, pericardium } = input;
  const files = new Map<string, Uint8Array>();
  if (pericardium) {
    const o = withDefaults(options);
    const intCt = integerCt(ct, []);
    const eat = fatMask(intCt.hu, eatLabels(intCt, pericardium, o), o.window);
    files.set('eat.nii.gz', niftiFileBytes({ ...ct, labels: eat, source: 'eat' }, 'eat.nii.gz'));
  }
  if (layers) {
    const lesionNames = report.lesions.map((l) => `${l.vessel} lesion ${l.startMm}–${l.endMm} mm`);
    for (const [name, bytes] of shellMaskFiles(ct, layers, lesionNames)) files.set(name, bytes);
  }
  return files;
}
