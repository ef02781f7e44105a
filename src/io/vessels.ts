/** Centerline files → VesselSet in LPS mm, validated, optionally checked against the CT and resampled. */
import { readFileSync } from 'node:fs';
import type { Geometry } from '../volume/geometry';
import type { VesselSet } from '../volume/vessels';
import { fail } from './errors';
import { checkInside, resamplePolyline, validateLesions, validateVessel } from './polyline';
import { parseVesselsJson } from './vessels-json';
import { parseVtk } from './vessels-vtk';

export interface LoadVesselsOptions {
  /** CT grid: required for JSON in voxel space; when given, every point must lie inside it. */
  readonly ct?: Geometry;
  /** Resample every centerline to this arc-length step (mm). */
  readonly stepMm?: number;
  /** Coordinate space of VTK points (JSON says its own): LPS (default) or RAS. */
  readonly vtkSpace?: 'LPS' | 'RAS';
}

export async function loadVessels(path: string, opts: LoadVesselsOptions = {}): Promise<VesselSet> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail('E_INPUT_NOT_FOUND', path, `cannot read: ${(e as Error).message}`);
  }
  let set: VesselSet;
  if (/\.json$/i.test(path))
    set = parseVesselsJson(new TextDecoder().decode(bytes), path, opts.ct ? { ct: opts.ct } : {});
  else if (/\.(vtk|vtp)$/i.test(path)) set = parseVtk(bytes, path, opts.vtkSpace ?? 'LPS');
  else fail('E_CENTERLINE', path, 'unknown centerline format: expected .json (perifat-vessels/1), .vtk or .vtp');
  for (const v of set.vessels) validateVessel(v, path);
  validateLesions(set);
  if (opts.ct) checkInside(set, opts.ct);
  if (opts.stepMm !== undefined) {
    const step = opts.stepMm;
    if (!(step > 0)) fail('E_OPTIONS', path, `stepMm must be > 0, got ${step}`);
    set = { ...set, vessels: set.vessels.map((v) => resamplePolyline(v, step)) };
  }
  return set;
}
