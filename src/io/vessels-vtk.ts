/**
 * VTK polydata centerlines (VMTK style): legacy `.vtk` (ASCII or BINARY, classic or 5.1 cell
 * arrays) and XML `.vtp` (ascii, base64 binary, appended raw/base64, optionally zlib-compressed).
 * One polyline cell per vessel; radius from a point array named MaximumInscribedSphereRadius,
 * Radius or radius; names from a string cell/field array when present, else vessel0, vessel1, ….
 */
import { unzlibCapped } from './inflate';
import type { Vec3 } from '../volume/geometry';
import type { Vessel, VesselSet } from '../volume/vessels';
import { fail } from './errors';

export const RADIUS_NAMES = ['MaximumInscribedSphereRadius', 'Radius', 'radius'];
const NAME_NAMES = ['Name', 'name', 'Names', 'names', 'VesselName', 'vessel', 'Vessel', 'Label', 'label'];

/** What both VTK flavours yield before vessels are cut out of it. */
interface PolyData {
  points: ArrayLike<number>;
  lines: number[][];
  pointArrays: Map<string, ArrayLike<number>>;
  stringArrays: Map<string, string[]>;
}

export function parseVtk(bytes: Uint8Array, source: string, space: 'LPS' | 'RAS' = 'LPS'): VesselSet {
  const head = latin1(bytes.subarray(0, Math.min(bytes.length, 256)));
  let pd: PolyData;
  try {
    if (head.startsWith('# vtk DataFile')) pd = parseLegacy(bytes, source);
    else if (/^\s*(<\?xml[^>]*>\s*)?<VTKFile/.test(head)) pd = parseXml(bytes, source);
    else fail('E_CENTERLINE', source, 'not a VTK file (no "# vtk DataFile" or <VTKFile> header)');
  } catch (e) {
    if (e instanceof Error && e.name === 'PerifatError') throw e;
    fail('E_CENTERLINE', source, `malformed VTK file (${e instanceof Error ? e.message : String(e)})`);
  }
  return toVessels(pd, source, space);
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

// ---------------------------------------------------------------- XML (.vtp)

const XML_TYPES: Record<string, { bytes: number; get: (dv: DataView, o: number, le: boolean) => number }> = {
  Int8: { bytes: 1, get: (dv, o) => dv.getInt8(o) },
  UInt8: { bytes: 1, get: (dv, o) => dv.getUint8(o) },
  Int16: { bytes: 2, get: (dv, o, le) => dv.getInt16(o, le) },
  UInt16: { bytes: 2, get: (dv, o, le) => dv.getUint16(o, le) },
  Int32: { bytes: 4, get: (dv, o, le) => dv.getInt32(o, le) },
  UInt32: { bytes: 4, get: (dv, o, le) => dv.getUint32(o, le) },
  Int64: { bytes: 8, get: (dv, o, le) => Number(dv.getBigInt64(o, le)) },
  UInt64: { bytes: 8, get: (dv, o, le) => Number(dv.getBigUint64(o, le)) },
  Float32: { bytes: 4, get: (dv, o, le) => dv.getFloat32(o, le) },
  Float64: { bytes: 8, get: (dv, o, le) => dv.getFloat64(o, le) },
  String: { bytes: 1, get: (dv, o) => dv.getUint8(o) },
};

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

function parseXml(bytes: Uint8Array, source: string): PolyData {
  // The appended section may hold raw bytes: only the text before it is treated as XML.
  const whole = latin1(bytes);
  const appIdx = whole.indexOf('<AppendedData');
  const xml = appIdx >= 0 ? whole.slice(0, appIdx) : whole;
  const root = attrs(/<VTKFile\b[^>]*>/.exec(xml)?.[0] ?? '');
  if (root['type'] !== 'PolyData')
    fail('E_CENTERLINE', source, `VTK XML type is "${root['type'] ?? '?'}", expected PolyData`);
  const le = root['byte_order'] !== 'BigEndian';
  const header = root['header_type'] === 'UInt64' ? 8 : 4;
  const compressed = root['compressor'] !== undefined && root['compressor'] !== '';
  if (compressed && root['compressor'] !== 'vtkZLibDataCompressor')
    fail('E_INPUT_UNSUPPORTED', source, `VTK compressor ${root['compressor']} is not supported (zlib only)`);
  let appended: { start: number; base64: boolean } | null = null;
  if (appIdx >= 0) {
    const tagEnd = whole.indexOf('>', appIdx);
    const enc = attrs(whole.slice(appIdx, tagEnd + 1))['encoding'] ?? 'raw';
    const us = whole.indexOf('_', tagEnd);
    if (tagEnd < 0 || us < 0) throw new Error('AppendedData without its "_" marker');
    appended = { start: us + 1, base64: enc === 'base64' };
  }
  const ctx: XmlCtx = { source, bytes, whole, le, header, compressed, appended };
  const pieceTag = /<Piece\b[^>]*>/.exec(xml)?.[0];
  if (!pieceTag) throw new Error('no <Piece>');
  const pd: PolyData = { points: new Float64Array(0), lines: [], pointArrays: new Map(), stringArrays: new Map() };
  const section = (name: string): string => new RegExp(`<${name}\\b[^>]*>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '';
  const arrays = (body: string): { a: Record<string, string>; text: string }[] =>
    [...body.matchAll(/<DataArray\b([^>]*?)(\/>|>([\s\S]*?)<\/DataArray>)/g)].map((m) => ({
      a: attrs(m[1] as string),
      text: m[3] ?? '',
    }));
  const pts = arrays(section('Points'))[0];
  if (!pts) throw new Error('no <Points> array');
  pd.points = readXmlArray(pts.a, pts.text, ctx);
  const lines = arrays(section('Lines'));
  const conn = lines.find((x) => x.a['Name'] === 'connectivity');
  const offs = lines.find((x) => x.a['Name'] === 'offsets');
  if (conn && offs) {
    const cv = readXmlArray(conn.a, conn.text, ctx);
    const ov = readXmlArray(offs.a, offs.text, ctx);
    let prev = 0;
    for (const o of ov) {
      if (!(o >= prev && o <= cv.length)) throw new Error('line offsets out of order');
      pd.lines.push(Array.from(cv.subarray(prev, o)));
      prev = o;
    }
  }
  for (const { a, text } of arrays(section('PointData'))) {
    if ((a['NumberOfComponents'] ?? '1') === '1' && a['type'] !== 'String')
      pd.pointArrays.set(a['Name'] ?? '', readXmlArray(a, text, ctx));
  }
  for (const sec of ['CellData', 'FieldData']) {
    for (const { a, text } of arrays(section(sec))) {
      if (a['type'] === 'String') pd.stringArrays.set(a['Name'] ?? '', splitStrings(readXmlArray(a, text, ctx)));
    }
  }
  return pd;
}

/** Most bytes one VTK XML data block may inflate to: centerlines are small. */
export const MAX_VTK_BLOCK_BYTES = 64 * 1024 * 1024;

interface XmlCtx {
  source: string;
  bytes: Uint8Array;
  whole: string;
  le: boolean;
  header: number;
  compressed: boolean;
  appended: { start: number; base64: boolean } | null;
}

/** VTK string arrays are the characters of every string, each ended by a NUL. */
function splitStrings(codes: Float64Array): string[] {
  const out: string[] = [];
  let s = '';
  for (const c of codes) {
    if (c === 0) {
      out.push(s);
      s = '';
    } else s += String.fromCharCode(c);
  }
  if (s !== '') out.push(s);
  return out;
}

function readXmlArray(a: Record<string, string>, text: string, ctx: XmlCtx): Float64Array {
  const type = XML_TYPES[a['type'] ?? ''];
  if (!type) throw new Error(`unknown DataArray type ${a['type']}`);
  const format = a['format'] ?? 'ascii';
  if (format === 'ascii') {
    const tok = text.trim() === '' ? [] : text.trim().split(/\s+/);
    return Float64Array.from(tok, (t) => {
      const v = Number(t);
      if (Number.isNaN(v) && !/^nan$/i.test(t)) throw new Error(`not a number: ${t}`);
      return v;
    });
  }
  let raw: Uint8Array;
  if (format === 'binary') raw = decodeBinaryBlock(text.trim(), ctx);
  else if (format === 'appended') {
    if (!ctx.appended) throw new Error('appended DataArray without <AppendedData>');
    const off = Number(a['offset'] ?? '0');
    if (ctx.appended.base64) {
      const rest = ctx.whole.slice(ctx.appended.start + off);
      raw = decodeBinaryBlock(rest.slice(0, rest.search(/[^A-Za-z0-9+/=]|$/)), ctx);
    } else raw = decodeRawBlock(ctx.bytes.subarray(ctx.appended.start + off), ctx);
  } else throw new Error(`unknown DataArray format ${format}`);
  const n = Math.floor(raw.byteLength / type.bytes);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = type.get(dv, i * type.bytes, ctx.le);
  return out;
}

function uint(dv: DataView, o: number, bytes: number, le: boolean): number {
  return bytes === 8 ? Number(dv.getBigUint64(o, le)) : dv.getUint32(o, le);
}

/** Raw appended block: [header][data] or, compressed, [nblocks, blocksize, lastsize, csize…][zlib blocks]. */
function decodeRawBlock(b: Uint8Array, ctx: XmlCtx): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const h = ctx.header;
  if (!ctx.compressed) {
    const n = uint(dv, 0, h, ctx.le);
    if (h + n > b.byteLength) throw new Error('appended block runs past the end of the file');
    return b.subarray(h, h + n);
  }
  const nb = uint(dv, 0, h, ctx.le);
  const sizes: number[] = [];
  for (let i = 0; i < nb; i++) sizes.push(uint(dv, (3 + i) * h, h, ctx.le));
  let o = (3 + nb) * h;
  const parts: Uint8Array[] = [];
  for (const s of sizes) {
    if (o + s > b.byteLength) throw new Error('compressed block runs past the end of the file');
    parts.push(unzlibCapped(b.subarray(o, o + s), blockCap(dv, h, ctx), ctx.source, 'a VTK data block'));
    o += s;
  }
  return concatBytes(parts);
}

/** The block size the compressed header declares (words 1 and 2: block size, last partial size), capped. */
function blockCap(dv: DataView, h: number, ctx: XmlCtx): number {
  const declared = Math.max(uint(dv, h, h, ctx.le), uint(dv, 2 * h, h, ctx.le));
  if (declared > MAX_VTK_BLOCK_BYTES) {
    fail('E_TOO_LARGE', ctx.source, `a VTK data block declares ${declared} bytes (limit ${MAX_VTK_BLOCK_BYTES})`);
  }
  return declared;
}

/** Base64 → bytes with the web's atob (the same in pages, workers and Node). */
function b64(s: string): Uint8Array {
  const bin = atob(s.replace(/[^A-Za-z0-9+/=]/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Inline base64: VTK encodes the header and the data separately (each padded), others jointly. */
function decodeBinaryBlock(s: string, ctx: XmlCtx): Uint8Array {
  const h = ctx.header;
  if (!ctx.compressed) {
    const hChars = Math.ceil(h / 3) * 4;
    if (s.slice(0, hChars).endsWith('=')) {
      const head = b64(s.slice(0, hChars));
      const n = uint(new DataView(head.buffer, head.byteOffset, head.byteLength), 0, h, ctx.le);
      return b64(s.slice(hChars)).subarray(0, n);
    }
    const all = b64(s);
    const n = uint(new DataView(all.buffer, all.byteOffset, all.byteLength), 0, h, ctx.le);
    return all.subarray(h, h + n);
  }
  // Compressed: first decode the 3 leading header words to learn the block count.
  const first = b64(s.slice(0, Math.ceil((3 * h) / 3) * 4));
  const nb = uint(new DataView(first.buffer, first.byteOffset, first.byteLength), 0, h, ctx.le);
  const hChars = Math.ceil(((3 + nb) * h) / 3) * 4;
  const head = b64(s.slice(0, hChars));
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const data = b64(s.slice(hChars));
  const parts: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < nb; i++) {
    const cs = uint(hv, (3 + i) * h, h, ctx.le);
    parts.push(unzlibCapped(data.subarray(o, o + cs), blockCap(hv, h, ctx), ctx.source, 'a VTK data block'));
    o += cs;
  }
  return concatBytes(parts);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
