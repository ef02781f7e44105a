/**
 * VTK polydata centerlines (VMTK style): legacy `.vtk` (ASCII or BINARY, classic or 5.1 cell
 * arrays) and XML `.vtp` (ascii, base64 binary, appended raw/base64, optionally zlib-compressed).
 * One polyline cell per vessel; radius from a point array named MaximumInscribedSphereRadius,
 * Radius or radius; names from a string cell/field array when present, else vessel0, vessel1, ….
 * The .vtp reader and its XML parser (vessels-vtp.ts) are loaded only when a .vtp is read.
 */
import type { Vec3 } from '../volume/geometry';
import type { Vessel, VesselSet } from '../volume/vessels';
import { fail } from './errors';
import type { PolyData } from './polydata';

export const RADIUS_NAMES = ['MaximumInscribedSphereRadius', 'Radius', 'radius'];
const NAME_NAMES = ['Name', 'name', 'Names', 'names', 'VesselName', 'vessel', 'Vessel', 'Label', 'label'];

export async function parseVtk(bytes: Uint8Array, source: string, space: 'LPS' | 'RAS' = 'LPS'): Promise<VesselSet> {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const head = latin1(bytes.subarray(bom, Math.min(bytes.length, bom + 256)));
  const legacy = head.startsWith('# vtk DataFile');
  const parseVtp = !legacy && /^\s*</.test(head) ? await vtpReader(source) : undefined;
  let pd: PolyData;
  try {
    if (legacy) pd = parseLegacy(bytes, source);
    else if (parseVtp) pd = parseVtp(bytes, source);
    else fail('E_CENTERLINE', source, 'not a VTK file (no "# vtk DataFile" or <VTKFile> header)');
  } catch (e) {
    if (e instanceof Error && e.name === 'PerifatError') throw e;
    fail('E_CENTERLINE', source, `malformed VTK file (${e instanceof Error ? e.message : String(e)})`);
  }
  return toVessels(pd, source, space);
}

/** The .vtp reader, with its XML parser: a chunk of its own in the browser bundle, fetched once. */
async function vtpReader(source: string): Promise<(bytes: Uint8Array, source: string) => PolyData> {
  try {
    return (await import('./vessels-vtp')).parseVtp;
  } catch (e) {
    fail('E_RUNTIME', source, `could not load the VTK XML reader (${e instanceof Error ? e.message : String(e)})`);
  }
}

function toVessels(pd: PolyData, source: string, space: 'LPS' | 'RAS'): VesselSet {
  const nPts = Math.floor(pd.points.length / 3);
  const radius = RADIUS_NAMES.map((n) => pd.pointArrays.get(n)).find((a) => a !== undefined);
  if (radius === undefined) fail('E_CENTERLINE', source, `no radius point array (${RADIUS_NAMES.join(', ')})`);
  if (radius.length < nPts) fail('E_CENTERLINE', source, `radius array has ${radius.length} values for ${nPts} points`);
  if (pd.lines.length === 0) fail('E_CENTERLINE', source, 'no polyline cells (LINES)');
  let names: string[] | undefined;
  for (const n of NAME_NAMES) {
    const a = pd.stringArrays.get(n);
    if (a && a.length === pd.lines.length) names = a;
  }
  if (names === undefined) for (const a of pd.stringArrays.values()) if (a.length === pd.lines.length) names = a;
  const sx = space === 'RAS' ? -1 : 1;
  const vessels: Vessel[] = pd.lines.map((ids, c) => {
    const name = names?.[c] || `vessel${c}`;
    const points: Vec3[] = [];
    const radii: number[] = [];
    ids.forEach((id, i) => {
      if (!(Number.isInteger(id) && id >= 0 && id < nPts))
        fail('E_CENTERLINE', source, `vessel "${name}" point ${i} refers to point id ${id}, outside 0…${nPts - 1}`);
      points.push([
        sx * (pd.points[3 * id] as number),
        sx * (pd.points[3 * id + 1] as number),
        pd.points[3 * id + 2] as number,
      ]);
      radii.push(radius[id] as number);
    });
    return { name, points, radii };
  });
  return { vessels, lesions: [], source };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

// ---------------------------------------------------------------- legacy

const BIN_TYPES: Record<string, { bytes: number; get: (dv: DataView, o: number) => number }> = {
  bit: { bytes: 1, get: (dv, o) => dv.getUint8(o) },
  unsigned_char: { bytes: 1, get: (dv, o) => dv.getUint8(o) },
  char: { bytes: 1, get: (dv, o) => dv.getInt8(o) },
  unsigned_short: { bytes: 2, get: (dv, o) => dv.getUint16(o, false) },
  short: { bytes: 2, get: (dv, o) => dv.getInt16(o, false) },
  unsigned_int: { bytes: 4, get: (dv, o) => dv.getUint32(o, false) },
  int: { bytes: 4, get: (dv, o) => dv.getInt32(o, false) },
  unsigned_long: { bytes: 8, get: (dv, o) => Number(dv.getBigUint64(o, false)) },
  long: { bytes: 8, get: (dv, o) => Number(dv.getBigInt64(o, false)) },
  vtktypeint64: { bytes: 8, get: (dv, o) => Number(dv.getBigInt64(o, false)) },
  vtktypeuint64: { bytes: 8, get: (dv, o) => Number(dv.getBigUint64(o, false)) },
  vtkidtype: { bytes: 8, get: (dv, o) => Number(dv.getBigInt64(o, false)) },
  float: { bytes: 4, get: (dv, o) => dv.getFloat32(o, false) },
  double: { bytes: 8, get: (dv, o) => dv.getFloat64(o, false) },
};

class Cursor {
  pos = 0;
  private readonly dv: DataView;
  constructor(
    readonly b: Uint8Array,
    readonly binary: boolean,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  /** Next non-empty line (keyword lines are ASCII in both modes). */
  line(): string | null {
    while (this.pos < this.b.length) {
      let e = this.pos;
      while (e < this.b.length && this.b[e] !== 0x0a) e++;
      const s = latin1(this.b.subarray(this.pos, e)).trim();
      this.pos = e + 1;
      if (s !== '') return s;
    }
    return null;
  }
  rawLine(): string {
    let e = this.pos;
    while (e < this.b.length && this.b[e] !== 0x0a) e++;
    const s = latin1(this.b.subarray(this.pos, e)).replace(/\r$/, '');
    this.pos = e + 1;
    return s;
  }
  /** n values of a VTK type, ASCII tokens or big-endian binary. */
  values(n: number, type: string): Float64Array {
    const out = new Float64Array(n);
    if (!this.binary) {
      let k = 0;
      while (k < n) {
        while (this.pos < this.b.length && isSpace(this.b[this.pos] as number)) this.pos++;
        if (this.pos >= this.b.length) throw new Error(`expected ${n} values, file ends after ${k}`);
        const s = this.pos;
        while (this.pos < this.b.length && !isSpace(this.b[this.pos] as number)) this.pos++;
        const v = Number(latin1(this.b.subarray(s, this.pos)));
        if (Number.isNaN(v) && !/^nan$/i.test(latin1(this.b.subarray(s, this.pos))))
          throw new Error(`not a number: ${latin1(this.b.subarray(s, this.pos))}`);
        out[k++] = v;
      }
      return out;
    }
    const t = BIN_TYPES[type.toLowerCase()];
    if (t === undefined) throw new Error(`unknown data type ${type}`);
    if (this.pos + n * t.bytes > this.b.length)
      throw new Error(`binary block of ${n} ${type} runs past the end of the file`);
    for (let i = 0; i < n; i++) out[i] = t.get(this.dv, this.pos + i * t.bytes);
    this.pos += n * t.bytes;
    return out;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function parseLegacy(bytes: Uint8Array, source: string): PolyData {
  const probe = new Cursor(bytes, false);
  probe.line(); // # vtk DataFile Version x.y
  probe.rawLine(); // title
  const mode = (probe.line() ?? '').toUpperCase();
  if (mode !== 'ASCII' && mode !== 'BINARY') throw new Error(`third line must be ASCII or BINARY, got ${mode}`);
  const c = new Cursor(bytes, mode === 'BINARY');
  c.pos = probe.pos;
  const ds = c.line() ?? '';
  if (!/^DATASET\s+POLYDATA/i.test(ds)) fail('E_CENTERLINE', source, `VTK dataset is "${ds}", expected POLYDATA`);
  const pd: PolyData = { points: new Float64Array(0), lines: [], pointArrays: new Map(), stringArrays: new Map() };
  let attr: 'point' | 'cell' | 'field' = 'field';
  let attrCount = 0;
  for (let l = c.line(); l !== null; l = c.line()) {
    const w = l.split(/\s+/);
    const kw = (w[0] ?? '').toUpperCase();
    const int = (i: number): number => {
      const v = Number(w[i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`bad count in "${l}"`);
      return v;
    };
    switch (kw) {
      case 'POINTS':
        pd.points = c.values(3 * int(1), w[2] ?? 'float');
        break;
      case 'LINES':
      case 'VERTICES':
      case 'POLYGONS':
      case 'TRIANGLE_STRIPS': {
        const cells = readCells(c, int(1), int(2));
        if (kw === 'LINES') pd.lines = cells;
        break;
      }
      case 'POINT_DATA':
      case 'CELL_DATA':
        attr = kw === 'POINT_DATA' ? 'point' : 'cell';
        attrCount = int(1);
        break;
      case 'SCALARS': {
        const comps = w[3] !== undefined ? Number(w[3]) : 1;
        const save = c.pos;
        const lut = c.line();
        if (!lut || !/^LOOKUP_TABLE/i.test(lut)) c.pos = save;
        const v = c.values(attrCount * comps, w[2] ?? 'float');
        if (attr === 'point' && comps === 1) pd.pointArrays.set(w[1] ?? '', v);
        break;
      }
      case 'VECTORS':
      case 'NORMALS':
        c.values(3 * attrCount, w[2] ?? 'float');
        break;
      case 'TENSORS':
        c.values(9 * attrCount, w[2] ?? 'float');
        break;
      case 'TEXTURE_COORDINATES':
        c.values(int(2) * attrCount, w[3] ?? 'float');
        break;
      case 'COLOR_SCALARS':
        c.values(int(2) * attrCount, c.binary ? 'unsigned_char' : 'float');
        break;
      case 'LOOKUP_TABLE':
        c.values(4 * int(2), c.binary ? 'unsigned_char' : 'float');
        break;
      case 'FIELD': {
        const k = int(2);
        for (let a = 0; a < k; a++) readFieldArray(c, pd, attr);
        break;
      }
      case 'METADATA':
        // VTK ≥ 9 writes array metadata blocks ended by an empty line.
        while (c.pos < bytes.length && c.rawLine().trim() !== '');
        break;
      default:
        throw new Error(`unexpected keyword "${w[0]}"`);
    }
  }
  return pd;
}

/** Classic "n size" cell list, or VTK 5.1 OFFSETS + CONNECTIVITY. */
function readCells(c: Cursor, n: number, size: number): number[][] {
  const save = c.pos;
  const next = c.line() ?? '';
  if (/^OFFSETS/i.test(next)) {
    const offsets = c.values(n, next.split(/\s+/)[1] ?? 'vtktypeint64');
    const connHead = (c.line() ?? '').split(/\s+/);
    if (!/^CONNECTIVITY/i.test(connHead[0] ?? '')) throw new Error('OFFSETS without CONNECTIVITY');
    const conn = c.values(size, connHead[1] ?? 'vtktypeint64');
    const cells: number[][] = [];
    for (let i = 0; i + 1 < n; i++)
      cells.push(Array.from(conn.subarray(offsets[i] as number, offsets[i + 1] as number)));
    return cells;
  }
  c.pos = save;
  const flat = c.values(size, 'int');
  const cells: number[][] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    const k = flat[o] as number;
    if (!(k >= 0 && o + 1 + k <= size)) throw new Error(`cell ${i} has an invalid point count ${k}`);
    cells.push(Array.from(flat.subarray(o + 1, o + 1 + k)));
    o += 1 + k;
  }
  return cells;
}

function readFieldArray(c: Cursor, pd: PolyData, attr: 'point' | 'cell' | 'field'): void {
  const head = c.line();
  if (head === null) throw new Error('FIELD ends early');
  const [name = '', compsS, tuplesS, type = 'float'] = head.split(/\s+/);
  const n = Number(compsS) * Number(tuplesS);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bad field array header "${head}"`);
  if (type.toLowerCase() === 'string') {
    if (c.binary) throw new Error('string arrays in BINARY legacy VTK are not supported; write ASCII or .vtp');
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(decodeURIComponentSafe(c.rawLine().trim()));
    pd.stringArrays.set(name, out);
  } else {
    const v = c.values(n, type);
    if (attr === 'point' && Number(compsS) === 1) pd.pointArrays.set(name, v);
  }
  const save = c.pos;
  const maybeMeta = c.line();
  if (maybeMeta === null || !/^METADATA/i.test(maybeMeta)) c.pos = save;
  else while (c.pos < c.b.length && c.rawLine().trim() !== '');
}

function decodeURIComponentSafe(s: string): string {
  // VTK encodes spaces and non-printables in strings as %XX.
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
