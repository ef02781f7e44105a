/**
 * A case file (`perifat-case/1`) names a CT and how to build its inputs, with paths relative to
 * the file. It lets a real scan without pericardium or coronary labels be measured honestly: a
 * pericardial region grown from a heart mask, a centerline tracked through a lumen mask. Every
 * such derivation is written into the report's warnings.
 *
 * { "schema": "perifat-case/1", "ct": "ct.nii.gz", "kvp": 120,
 *   "pericardium": { "mask": "heart.nii.gz", "growMm": 5 },
 *   "vessels": "centerlines.json" | [ { "name": "AORTA", "fromMask": "aorta.nii.gz", "seedMask": "annulus.nii.gz" } ],
 *   "segmentsMm": { "AORTA": [0, 40] } }
 * Coronary centerlines may instead be derived in the run: "coronaryMask": "coronary.nii.gz" (with
 * "aorta": "aorta.nii.gz"), or "totalseg": "segmentations/" (a TotalSegmentator folder, which also
 * gives the pericardial region when "pericardium" is not set).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { growMask } from '../volume/dilate';
import { PerifatError } from '../errors';
import { loadCt, loadLabels, loadVessels } from '../platform/node/load';
import type { MeasureInput } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import { centerlineFromMask } from '../volume/centerline-from-mask';
import type { ReadLimits } from '../io/limits';
import type { CenterlineRequest } from '../centerlines/derive';
import { centerlineRequest, totalsegInputs } from './centerline-inputs';
import { type Geometry, type Vec3, voxelToWorld } from '../volume/geometry';
import type { LabelVolume } from '../volume/volume';
import type { Vessel, VesselSet } from '../volume/vessels';

interface CaseDoc {
  schema: 'perifat-case/1';
  name?: string;
  ct: string;
  kvp?: number | null;
  pericardium?: { mask: string; growMm?: number } | { ellipsoidMm: { center: Vec3; radii: Vec3 } };
  vessels?: string | { name: string; fromMask: string; seedMask?: string }[];
  segmentsMm?: Record<string, [number, number]>;
  coronaryMask?: string;
  aorta?: string;
  totalseg?: string;
}

export interface LoadedCase {
  input: MeasureInput;
  options: Partial<MeasureOptions>;
  /** What was derived rather than given, for the report. */
  notes: string[];
}

/** Largest growth of a mask into the pericardial region (mm). */
export const MAX_GROW_MM = 50;

/** The case file's fields, their types and ranges: an error names the field. */
function validateCase(doc: unknown, path: string): asserts doc is CaseDoc {
  const bad = (field: string, want: string): never => {
    throw new PerifatError('E_INPUT_FORMAT', `${field}: expected ${want}`, { file: path });
  };
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const vec3 = (x: unknown): boolean => Array.isArray(x) && x.length === 3 && x.every((v) => Number.isFinite(v));
  if (!isObj(doc)) bad('(document)', 'a JSON object');
  const d = doc as Record<string, unknown>;
  if (d['schema'] !== 'perifat-case/1') bad('schema', '"perifat-case/1"');
  if (typeof d['ct'] !== 'string' || d['ct'] === '') bad('ct', 'a path');
  if (d['name'] !== undefined && typeof d['name'] !== 'string') bad('name', 'a string');
  const kvp = d['kvp'];
  if (kvp !== undefined && kvp !== null && !(typeof kvp === 'number' && kvp >= 70 && kvp <= 150))
    bad('kvp', '70–150 or null');
  const p = d['pericardium'];
  if (p !== undefined) {
    if (!isObj(p)) bad('pericardium', 'an object');
    const q = p as Record<string, unknown>;
    if ('ellipsoidMm' in q) {
      const e = q['ellipsoidMm'];
      if (!isObj(e) || !vec3(e['center'])) bad('pericardium.ellipsoidMm.center', 'three numbers (mm)');
      const radii = (e as Record<string, unknown>)['radii'];
      if (!vec3(radii) || !(radii as number[]).every((r) => r > 0 && r <= 200)) {
        bad('pericardium.ellipsoidMm.radii', 'three numbers in (0, 200] mm');
      }
    } else {
      if (typeof q['mask'] !== 'string') bad('pericardium.mask', 'a path');
      const g = q['growMm'];
      if (g !== undefined && !(typeof g === 'number' && g >= 0 && g <= MAX_GROW_MM))
        bad('pericardium.growMm', `0–${MAX_GROW_MM} mm`);
    }
  }
  const v = d['vessels'];
  if (v !== undefined && typeof v !== 'string') {
    if (!Array.isArray(v)) bad('vessels', 'a path or a list of vessels');
    (v as unknown[]).forEach((x, i) => {
      if (!isObj(x) || typeof x['name'] !== 'string' || x['name'] === '') bad(`vessels[${i}].name`, 'a name');
      const o = x as Record<string, unknown>;
      if (typeof o['fromMask'] !== 'string') bad(`vessels[${i}].fromMask`, 'a mask path');
      if (o['seedMask'] !== undefined && typeof o['seedMask'] !== 'string')
        bad(`vessels[${i}].seedMask`, 'a mask path');
    });
  }
  for (const k of ['coronaryMask', 'aorta', 'totalseg'])
    if (d[k] !== undefined && (typeof d[k] !== 'string' || d[k] === '')) bad(k, 'a path');
  if (d['coronaryMask'] !== undefined && d['vessels'] !== undefined) bad('coronaryMask', 'no "vessels" beside it');
  if (d['aorta'] !== undefined && d['coronaryMask'] === undefined) bad('aorta', 'a "coronaryMask" beside it');
  const seg = d['segmentsMm'];
  if (seg !== undefined) {
    if (!isObj(seg)) bad('segmentsMm', 'an object of [s0, s1] by vessel');
    for (const [k, r] of Object.entries(seg as Record<string, unknown>)) {
      if (!Array.isArray(r) || r.length !== 2 || !(r[0] >= 0 && r[1] > r[0]))
        bad(`segmentsMm.${k}`, '[s0, s1] with 0 ≤ s0 < s1');
    }
  }
}

/** The files a case file reads (its CT, masks, centerlines), for the output-path check. */
export function caseInputs(path: string): string[] {
  let doc: Partial<CaseDoc>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<CaseDoc>;
  } catch {
    return []; // loadCase reports an unreadable case file
  }
  const rel = (p: unknown): string[] => (typeof p === 'string' ? [resolve(dirname(path), p)] : []);
  const p = doc.pericardium;
  return [
    ...rel(doc.ct),
    ...(p && 'mask' in p ? rel(p.mask) : []),
    ...(typeof doc.vessels === 'string' ? rel(doc.vessels) : []),
    ...(Array.isArray(doc.vessels) ? doc.vessels.flatMap((v) => [...rel(v.fromMask), ...rel(v.seedMask)]) : []),
    ...rel(doc.coronaryMask),
    ...rel(doc.aorta),
    ...rel(doc.totalseg),
  ];
}

export async function loadCase(path: string, limits: ReadLimits = {}): Promise<LoadedCase> {
  let doc: CaseDoc;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as CaseDoc;
  } catch (e) {
    throw new PerifatError('E_INPUT_FORMAT', `not a readable case file: ${(e as Error).message}`, { file: path });
  }
  validateCase(doc, path);
  const rel = (p: string) => resolve(dirname(path), p);
  const notes: string[] = [];
  const ct = await loadCt(rel(doc.ct), limits);

  let pericardium: LabelVolume | null = null;
  if (doc.pericardium && 'ellipsoidMm' in doc.pericardium) {
    const { center, radii } = doc.pericardium.ellipsoidMm;
    pericardium = { ...ct, labels: ellipsoidMask(ct, center, radii), source: `${basename(path)}:ellipsoid` };
    notes.push(
      `input: pericardial region = ellipsoid placed by hand around the heart, centre (${center.join(', ')}) mm, ` +
        `semi-axes (${radii.join(', ')}) mm LPS (an approximation: the scan has no pericardium label)`,
    );
  } else if (doc.pericardium) {
    const mask = await loadLabels(rel(doc.pericardium.mask), { onto: ct, ...limits });
    const grow = doc.pericardium.growMm ?? 0;
    pericardium = grow > 0 ? { ...mask, labels: growMask(mask.labels, mask, grow) } : mask;
    if (grow > 0) {
      notes.push(
        `input: pericardial region = ${basename(doc.pericardium.mask)} grown by ${grow} mm (an approximation: the scan has no pericardium label)`,
      );
    }
  }

  let vessels: VesselSet | null = null;
  if (typeof doc.vessels === 'string') {
    vessels = await loadVessels(rel(doc.vessels), { ct, ...limits });
  } else if (Array.isArray(doc.vessels)) {
    const list: Vessel[] = [];
    for (const v of doc.vessels) {
      const mask = await loadLabels(rel(v.fromMask), { onto: ct, ...limits });
      const seed = v.seedMask ? centroid(await loadLabels(rel(v.seedMask), { onto: ct, ...limits })) : undefined;
      list.push(centerlineFromMask(mask, { name: v.name, ...(seed ? { seed } : {}) }));
      notes.push(
        `input: ${v.name} centerline tracked slice by slice through ${basename(v.fromMask)}` +
          (v.seedMask ? ` from the centroid of ${basename(v.seedMask)}` : '') +
          ' (derived, not a coronary label)',
      );
    }
    vessels = { vessels: list, lesions: [], source: path };
  }

  let centerlines: CenterlineRequest | null = null;
  const totalseg = doc.totalseg ? await totalsegInputs(rel(doc.totalseg), ct, limits) : null;
  if (totalseg) {
    if (!pericardium && totalseg.pericardium) pericardium = totalseg.pericardium;
    if (!vessels && !doc.coronaryMask) centerlines = totalseg.centerlines;
    notes.push(...totalseg.notes.filter((n) => !n.includes('centerlines') || centerlines));
  }
  if (doc.coronaryMask) {
    centerlines = await centerlineRequest(
      ct,
      { coronaryMask: rel(doc.coronaryMask), ...(doc.aorta ? { aorta: rel(doc.aorta) } : {}) },
      limits,
    );
  }

  const options: { -readonly [K in keyof MeasureOptions]?: MeasureOptions[K] } = {};
  if (doc.kvp !== undefined && doc.kvp !== null) options.kvp = doc.kvp;
  if (doc.segmentsMm) options.segmentsMm = doc.segmentsMm;
  return { input: { ct, pericardium, vessels, ...(centerlines ? { centerlines } : {}) }, options, notes };
}

/** 1 inside the axis-aligned (LPS) ellipsoid, evaluated at voxel centres. */
function ellipsoidMask(grid: Geometry, center: Vec3, radii: Vec3): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const out = new Uint8Array(nx * ny * nz);
  let n = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, n++) {
        const p = voxelToWorld(grid, [i, j, k]);
        const q =
          ((p[0] - center[0]) / radii[0]) ** 2 +
          ((p[1] - center[1]) / radii[1]) ** 2 +
          ((p[2] - center[2]) / radii[2]) ** 2;
        if (q <= 1) out[n] = 1;
      }
  return out;
}

function centroid(mask: LabelVolume): Vec3 {
  const [nx, ny] = mask.dims;
  let si = 0;
  let sj = 0;
  let sk = 0;
  let n = 0;
  for (let p = 0; p < mask.labels.length; p++) {
    if (mask.labels[p] === 0) continue;
    si += p % nx;
    sj += Math.floor(p / nx) % ny;
    sk += Math.floor(p / (nx * ny));
    n++;
  }
  if (n === 0) throw new PerifatError('E_INPUT_VALUE', 'seed mask is empty', { file: mask.source });
  return voxelToWorld(mask, [si / n, sj / n, sk / n]);
}
