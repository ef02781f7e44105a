/**
 * VTK XML PolyData (.vtp): ascii, base64 "binary" and appended (raw or base64) DataArrays,
 * optionally zlib-compressed. The XML is read with saxes, a conformant, non-validating streaming
 * parser that checks well-formedness and never expands entities a DTD declares; a DOCTYPE is
 * refused outright. parseVtk (vessels-vtk.ts) loads this module when a .vtp is first read.
 *
 * Raw appended data is not XML. The bytes are fed to the parser up to the end of the
 * <AppendedData> start tag; the body, from the "_" marker to the last </AppendedData>, is set
 * aside and the parser goes on from that closing tag, so the rest of the document is checked too.
 */
import { SaxesParser } from 'saxes';
import { fail } from './errors';
import { concatBytes } from '../util/bytes';
import { unzlibCapped } from './inflate';
import type { PolyData } from './polydata';

/** Most bytes one VTK XML data block may inflate to: centerlines are small. */
export const MAX_VTK_BLOCK_BYTES = 64 * 1024 * 1024;

/** Most XML elements a .vtp may hold (a centerline file has a few dozen). */
export const MAX_VTP_ELEMENTS = 65_536;

/** Most "<AppendedData" texts (in comments, say) before the real start tag. */
const MAX_APPENDED_CANDIDATES = 1024;

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

/** One XML element: its attributes, child elements and (data arrays only) its text. */
interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  readonly text: string[];
}

/** The raw or base64 appended body: bytes [start, end) of the file, after the "_" marker. */
interface Appended {
  start: number;
  end: number;
  base64: boolean;
}

interface XmlCtx {
  source: string;
  bytes: Uint8Array;
  le: boolean;
  header: number;
  compressed: boolean;
  appended: Appended | null;
}

const asciiBytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const OPEN_APPENDED = asciiBytes('<AppendedData');
const CLOSE_APPENDED = asciiBytes('</AppendedData');

export function parseVtp(bytes: Uint8Array, source: string): PolyData {
  const { root, appended } = parseXml(bytes, source);
  if (root.name !== 'VTKFile')
    fail('E_CENTERLINE', source, `the XML root element is <${root.name}>, expected <VTKFile>`);
  const r = root.attrs;
  if (r['type'] !== 'PolyData')
    fail('E_CENTERLINE', source, `VTK XML type is "${r['type'] ?? '?'}", expected PolyData`);
  const compressor = r['compressor'] ?? '';
  if (compressor !== '' && compressor !== 'vtkZLibDataCompressor')
    fail('E_INPUT_UNSUPPORTED', source, `VTK compressor ${compressor} is not supported (zlib only)`);
  const ctx: XmlCtx = {
    source,
    bytes,
    le: r['byte_order'] !== 'BigEndian',
    header: r['header_type'] === 'UInt64' ? 8 : 4,
    compressed: compressor !== '',
    appended,
  };
  const poly = child(root, 'PolyData');
  if (!poly) throw new Error('no <PolyData> element');
  const piece = child(poly, 'Piece');
  if (!piece) throw new Error('no <Piece>');
  const pd: PolyData = { points: new Float64Array(0), lines: [], pointArrays: new Map(), stringArrays: new Map() };
  const pts = dataArrays(child(piece, 'Points'))[0];
  if (!pts) throw new Error('no <Points> array');
  pd.points = readArray(pts, ctx);
  const lines = dataArrays(child(piece, 'Lines'));
  const conn = lines.find((x) => x.attrs['Name'] === 'connectivity');
  const offs = lines.find((x) => x.attrs['Name'] === 'offsets');
  if (conn && offs) {
    const cv = readArray(conn, ctx);
    const ov = readArray(offs, ctx);
    let prev = 0;
    for (const o of ov) {
      if (!(o >= prev && o <= cv.length)) throw new Error('line offsets out of order');
      pd.lines.push(Array.from(cv.subarray(prev, o)));
      prev = o;
    }
  }
  for (const a of dataArrays(child(piece, 'PointData'))) {
    if ((a.attrs['NumberOfComponents'] ?? '1') === '1' && a.attrs['type'] !== 'String')
      pd.pointArrays.set(a.attrs['Name'] ?? '', readArray(a, ctx));
  }
  // Names: a string array of the cells, or of the data set's field data (VTK writes string
  // arrays as <Array type="String">).
  for (const sec of [child(piece, 'CellData'), child(poly, 'FieldData'), child(piece, 'FieldData')]) {
    for (const a of dataArrays(sec, true)) {
      if (a.attrs['type'] === 'String') pd.stringArrays.set(a.attrs['Name'] ?? '', splitStrings(readArray(a, ctx)));
    }
  }
  return pd;
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The <DataArray> children of an element (and its <Array> children with `strings`). */
function dataArrays(el: XmlElement | undefined, strings = false): XmlElement[] {
  return el?.children.filter((c) => c.name === 'DataArray' || (strings && c.name === 'Array')) ?? [];
}

/**
 * The document's element tree, and where its appended body lies. The text is decoded as UTF-8
 * as it is fed (a byte-order mark is dropped, an invalid byte becomes U+FFFD). After each
 * "<AppendedData" text the bytes go in runs that end at a ">", so when the parser reports the
 * <AppendedData> start tag nothing past it has been fed.
 */
function parseXml(bytes: Uint8Array, source: string): { root: XmlElement; appended: Appended | null } {
  const parser = new SaxesParser({ xmlns: false, position: true, fileName: 'XML' });
  const decoder = new TextDecoder();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let inAppendedTag = false;
  let appendedTag: Readonly<Record<string, string>> | null = null;
  parser.on('doctype', () => {
    throw new Error('a DOCTYPE is not allowed in a VTK XML file (DTDs and entities are not processed)');
  });
  parser.on('opentagstart', (tag) => {
    inAppendedTag = tag.name === 'AppendedData';
  });
  parser.on('opentag', (tag) => {
    if (++count > MAX_VTP_ELEMENTS)
      fail('E_TOO_LARGE', source, `VTK XML file with more than ${MAX_VTP_ELEMENTS} elements`);
    inAppendedTag = false;
    const el: XmlElement = { name: tag.name, attrs: tag.attributes, children: [], text: [] };
    if (tag.name === 'AppendedData' && !tag.isSelfClosing && appendedTag === null) appendedTag = el.attrs;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  const onText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top?.name === 'DataArray' || top?.name === 'Array') top.text.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  const feed = (b: Uint8Array): void => {
    const step = 1 << 16;
    for (let o = 0; o < b.length; o += step) parser.write(decoder.decode(b.subarray(o, o + step), { stream: true }));
  };

  let at = 0;
  let next = indexOf(bytes, OPEN_APPENDED, 0);
  for (let runs = 0; appendedTag === null && next >= 0; runs++) {
    if (runs > MAX_APPENDED_CANDIDATES) throw new Error('too many "<AppendedData" texts outside an AppendedData tag');
    const gt = bytes.indexOf(0x3e, next); // ">"
    if (gt < 0) break;
    feed(bytes.subarray(at, gt + 1));
    at = gt + 1;
    // Still inside the start tag (a ">" in an attribute value): on to the next ">".
    next = inAppendedTag ? at : indexOf(bytes, OPEN_APPENDED, at);
  }
  let appended: Appended | null = null;
  if (appendedTag !== null) {
    const enc = appendedTag['encoding'] ?? 'raw';
    if (enc !== 'raw' && enc !== 'base64') throw new Error(`unknown AppendedData encoding "${enc}"`);
    let us = at;
    while (us < bytes.length && isSpace(bytes[us] ?? 0)) us++;
    if (bytes[us] !== 0x5f) throw new Error('<AppendedData> without its "_" marker');
    const close = lastIndexOf(bytes, CLOSE_APPENDED, us + 1);
    if (close < 0) throw new Error('<AppendedData> is never closed (is the file truncated?)');
    appended = { start: us + 1, end: close, base64: enc === 'base64' };
    at = close; // the parser goes on with </AppendedData>
  }
  feed(bytes.subarray(at));
  parser.write(decoder.decode());
  parser.close();
  if (!root) throw new Error('no XML root element');
  return { root, appended };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** First index of `needle` in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] ?? 0;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Last index of `needle` in `hay` at or after `from`, or -1. */
function lastIndexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = hay.length - needle.length; i >= from; i--) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
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

function readArray(el: XmlElement, ctx: XmlCtx): Float64Array {
  const a = el.attrs;
  const type = XML_TYPES[a['type'] ?? ''];
  if (!type) throw new Error(`unknown DataArray type ${a['type']}`);
  const format = a['format'] ?? 'ascii';
  const text = el.text.join('');
  if (format === 'ascii') {
    const tok = text.trim() === '' ? [] : text.trim().split(/\s+/);
    return Float64Array.from(tok, (t) => {
      const v = Number(t);
      if (Number.isNaN(v) && !/^nan$/i.test(t)) throw new Error(`not a number: ${t}`);
      return v;
    });
  }
  let raw: Uint8Array;
  if (format === 'binary') raw = decodeBinaryBlock(text, ctx);
  else if (format === 'appended') {
    const app = ctx.appended;
    if (!app) throw new Error('appended DataArray without <AppendedData>');
    const off = Number(a['offset'] ?? '0');
    if (!(Number.isSafeInteger(off) && off >= 0 && app.start + off <= app.end))
      throw new Error(`appended DataArray offset "${a['offset']}" is outside the appended data`);
    const body = ctx.bytes.subarray(app.start + off, app.end);
    if (app.base64) {
      let n = 0;
      while (n < body.length && isBase64(body[n] ?? 0)) n++;
      raw = decodeBinaryBlock(new TextDecoder().decode(body.subarray(0, n)), ctx);
    } else raw = decodeRawBlock(body, ctx);
  } else throw new Error(`unknown DataArray format ${format}`);
  const n = Math.floor(raw.byteLength / type.bytes);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = type.get(dv, i * type.bytes, ctx.le);
  return out;
}

function isBase64(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x3d
  );
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
    if (h + n > b.byteLength) throw new Error('appended block runs past the end of the appended data');
    return b.subarray(h, h + n);
  }
  const nb = uint(dv, 0, h, ctx.le);
  const sizes: number[] = [];
  for (let i = 0; i < nb; i++) sizes.push(uint(dv, (3 + i) * h, h, ctx.le));
  let o = (3 + nb) * h;
  const parts: Uint8Array[] = [];
  for (const s of sizes) {
    if (o + s > b.byteLength) throw new Error('compressed block runs past the end of the appended data');
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

/** Characters of the padded base64 encoding of n bytes. */
function b64Chars(n: number): number {
  return Math.ceil(n / 3) * 4;
}

/**
 * A base64 block: VTK encodes the header and the data separately (each padded), others jointly.
 * Only the characters the header accounts for are decoded: in a base64 appended section the next
 * array's characters follow at once.
 */
function decodeBinaryBlock(text: string, ctx: XmlCtx): Uint8Array {
  const s = text.replace(/[^A-Za-z0-9+/=]/g, ''); // line breaks some writers insert
  const h = ctx.header;
  if (!ctx.compressed) {
    const hChars = b64Chars(h);
    if (s.slice(0, hChars).endsWith('=')) {
      const head = b64(s.slice(0, hChars));
      const n = uint(new DataView(head.buffer, head.byteOffset, head.byteLength), 0, h, ctx.le);
      return b64(s.slice(hChars, hChars + b64Chars(n))).subarray(0, n);
    }
    const first = b64(s.slice(0, hChars));
    const n = uint(new DataView(first.buffer, first.byteOffset, first.byteLength), 0, h, ctx.le);
    const all = b64(s.slice(0, b64Chars(h + n)));
    return all.subarray(h, h + n);
  }
  // Compressed: first decode the 3 leading header words to learn the block count.
  const first = b64(s.slice(0, b64Chars(3 * h)));
  const nb = uint(new DataView(first.buffer, first.byteOffset, first.byteLength), 0, h, ctx.le);
  const hChars = b64Chars((3 + nb) * h);
  const head = b64(s.slice(0, hChars));
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const sizes: number[] = [];
  for (let i = 0; i < nb; i++) sizes.push(uint(hv, (3 + i) * h, h, ctx.le));
  const data = b64(s.slice(hChars, hChars + b64Chars(sizes.reduce((a, b) => a + b, 0))));
  const parts: Uint8Array[] = [];
  let o = 0;
  for (const cs of sizes) {
    parts.push(unzlibCapped(data.subarray(o, o + cs), blockCap(hv, h, ctx), ctx.source, 'a VTK data block'));
    o += cs;
  }
  return concatBytes(parts);
}
