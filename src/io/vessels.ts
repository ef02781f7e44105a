/** Centerline files → VesselSet in LPS mm, validated, optionally checked against the CT and resampled. */
import type { Geometry } from '../volume/geometry';
import type { VesselSet } from '../volume/vessels';
import { readAll } from './read-all';
import { fail } from './errors';
import type { InputFile } from './input-file';
import { checkInside, resamplePolyline, validateLesions, validateVessel } from './polyline';
import { DEFAULT_MAX_POINTS } from '../volume/vessels';
import { parseVesselsJson } from './vessels-json';
import { parseVtk } from './vessels-vtk';

export interface LoadVesselsOptions {
  /** CT grid: required for JSON in voxel space; when given, every point must lie inside it. */
  readonly ct?: Geometry;
  /** Resample every centerline to this arc-length step (mm). */
  readonly stepMm?: number;
  /** Coordinate space of VTK points (JSON says its own): LPS (default) or RAS. */
  readonly vtkSpace?: 'LPS' | 'RAS';
  /** Most points over all vessels (DEFAULT_MAX_POINTS); the file-size budget grows with it. */
  readonly maxPoints?: number;
}

/** The format of centerline bytes, by content: JSON, legacy VTK, or VTK XML (.vtp). */
export function centerlineFormat(bytes: Uint8Array): 'json' | 'vtk' | null {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte-order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  const head = new TextDecoder().decode(bytes.subarray(i, i + 32));
  if (head.startsWith('{')) return 'json';
  if (head.startsWith('# vtk DataFile') || head.startsWith('<?xml') || head.startsWith('<VTKFile')) return 'vtk';
  return null;
}

/** Centerlines from one file: perifat-vessels/1 JSON, VTK legacy or .vtp (told apart by content). */
/** Largest centerline file read (bytes) at the default point budget: room for pretty-printed files. */
export const MAX_CENTERLINE_BYTES = 64 * 1024 * 1024;
/** Bytes a point may take in a file (a 200,000-point JSON is ~15 MB), for budgets above the default. */
const BYTES_PER_POINT = 336;

/** The file-size budget for a point budget: MAX_CENTERLINE_BYTES, scaled up with a larger one. */
export function centerlineBytesLimit(maxPoints: number): number {
  return Math.max(MAX_CENTERLINE_BYTES, maxPoints * BYTES_PER_POINT);
}

export async function readVesselsFile(input: InputFile, opts: LoadVesselsOptions = {}): Promise<VesselSet> {
  const path = input.name;
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const maxBytes = centerlineBytesLimit(maxPoints);
  if (input.size > maxBytes) {
    fail('E_TOO_LARGE', path, `centerline file of ${input.size} bytes (limit ${maxBytes}; --max-points)`);
  }
  const bytes = await readAll(input);
  let set: VesselSet;
  const format = centerlineFormat(bytes);
  if (format === 'json') set = parseVesselsJson(new TextDecoder().decode(bytes), path, opts.ct ? { ct: opts.ct } : {});
  else if (format === 'vtk') set = await parseVtk(bytes, path, opts.vtkSpace ?? 'LPS');
  else
    fail(
      'E_CENTERLINE',
      path,
      'unknown centerline format: not a VTK file nor perifat-vessels/1 JSON (expected JSON, VTK .vtk or .vtp)',
    );
  for (const v of set.vessels) validateVessel(v, path, maxPoints);
  const total = set.vessels.reduce((n, v) => n + v.points.length, 0);
  if (total > maxPoints)
    fail('E_TOO_LARGE', path, `${total} centerline points in all (limit ${maxPoints}; --max-points)`);
  if (opts.maxPoints !== undefined) set = { ...set, maxPoints };
  validateLesions(set);
  if (opts.ct) checkInside(set, opts.ct);
  if (opts.stepMm !== undefined) {
    const step = opts.stepMm;
    if (!(step > 0)) fail('E_OPTIONS', path, `stepMm must be > 0, got ${step}`);
    set = { ...set, vessels: set.vessels.map((v) => resamplePolyline(v, step)) };
  }
  return set;
}
