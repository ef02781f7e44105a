/** `perifat-vessels/1` JSON (METHOD.md §1): vessels in LPS, RAS or voxel space → VesselSet in LPS mm. */
import { type Geometry, type Vec3, voxelToWorld } from '../volume/geometry';
import type { Lesion, Vessel, VesselSet } from '../volume/vessels';
import { fail } from './errors';

type Space = 'LPS' | 'RAS' | 'voxel';

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function parseVesselsJson(text: string, source: string, opts: { ct?: Geometry } = {}): VesselSet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail('E_CENTERLINE', source, `not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(doc)) fail('E_CENTERLINE', source, 'centerline JSON must be an object');
  // A report whose centerlines perifat derived carries them as perifat-vessels/1: measure them again.
  if (doc['schema'] === 'perifat-report/1') {
    const derived = doc['centerlines'];
    if (!isObj(derived) || !isObj(derived['vessels']))
      fail('E_CENTERLINE', source, 'this report holds no derived centerlines ("centerlines.vessels")');
    doc = derived['vessels'];
    if (!isObj(doc)) fail('E_CENTERLINE', source, 'centerline JSON must be an object');
  }
  if (doc['schema'] !== 'perifat-vessels/1')
    fail('E_CENTERLINE', source, `schema is ${JSON.stringify(doc['schema'])}, expected "perifat-vessels/1"`);
  const space = (doc['space'] ?? 'LPS') as Space;
  if (space !== 'LPS' && space !== 'RAS' && space !== 'voxel')
    fail('E_CENTERLINE', source, `space ${JSON.stringify(space)} is not LPS, RAS or voxel`);
  if (space === 'voxel' && opts.ct === undefined)
    fail('E_CENTERLINE', source, 'space "voxel" needs the CT geometry (pass ct)');
  const vs = doc['vessels'];
  if (!Array.isArray(vs) || vs.length === 0) fail('E_CENTERLINE', source, '"vessels" must be a non-empty array');
  const seen = new Set<string>();
  const vessels: Vessel[] = vs.map((v, vi) => {
    if (!isObj(v)) fail('E_CENTERLINE', source, `vessels[${vi}] is not an object`);
    const name = v['name'];
    if (typeof name !== 'string' || name === '') fail('E_CENTERLINE', source, `vessels[${vi}] has no name`);
    if (seen.has(name)) fail('E_CENTERLINE', source, `vessel name "${name}" appears twice`);
    seen.add(name);
    const pts = v['points'];
    const radii = v['radii'];
    if (!Array.isArray(pts)) fail('E_CENTERLINE', source, `vessel "${name}" has no "points" array`);
    if (!Array.isArray(radii))
      fail('E_CENTERLINE', source, `vessel "${name}" has no "radii" array (lumen radius per point, mm)`);
    const points: Vec3[] = pts.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 3 || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        fail('E_CENTERLINE', source, `vessel "${name}" point ${i} is not [x, y, z] with finite numbers`);
      }
      const q = p as Vec3;
      if (space === 'RAS') return [-q[0], -q[1], q[2]];
      if (space === 'voxel') return voxelToWorld(opts.ct as Geometry, q);
      return [q[0], q[1], q[2]];
    });
    return { name, points, radii: radii as number[] };
  });
  const ls = doc['lesions'] ?? [];
  if (!Array.isArray(ls)) fail('E_CENTERLINE', source, '"lesions" must be an array');
  const lesions: Lesion[] = ls.map((l, i) => {
    if (
      !isObj(l) ||
      typeof l['vessel'] !== 'string' ||
      typeof l['start_mm'] !== 'number' ||
      typeof l['end_mm'] !== 'number'
    ) {
      fail('E_CENTERLINE', source, `lesions[${i}] must be { vessel, start_mm, end_mm }`);
    }
    return { vessel: l['vessel'], startMm: l['start_mm'], endMm: l['end_mm'] };
  });
  return { vessels, lesions, source };
}
