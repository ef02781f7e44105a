/**
 * One DICOM file → its dataset (naturalized, by keyword) and its raw pixel data, via dcmjs.
 *
 * perifat drives dcmjs's element reader itself rather than calling `readFile`, because
 * (1) dcmjs zero-fills values that run past the end of a truncated file, and only the
 * stream offset tells; (2) files without preamble/file meta (older archives) must still load;
 * (3) dcmjs logs and carries on over a malformed element (e.g. a blank VR inside a sequence),
 * which perifat refuses instead of measuring a half-read file.
 */
import dcmjs, { type DcmjsDict, type ReadBufferStream } from 'dcmjs';
import { inflateCapped } from './inflate';
import { asPerifatError, fail, guard } from './errors';
import type { InputFile } from './input-file';
import { readAll, readRange } from './read-all';

export { readAll };

export const TS = {
  IMPLICIT_LE: '1.2.840.10008.1.2',
  EXPLICIT_LE: '1.2.840.10008.1.2.1',
  DEFLATED_LE: '1.2.840.10008.1.2.1.99',
  EXPLICIT_BE: '1.2.840.10008.1.2.2',
  RLE: '1.2.840.10008.1.2.5',
  JPEG_BASELINE: '1.2.840.10008.1.2.4.50',
  JPEG_EXTENDED: '1.2.840.10008.1.2.4.51',
  JPEG_LOSSLESS: '1.2.840.10008.1.2.4.57',
  JPEG_LOSSLESS_SV1: '1.2.840.10008.1.2.4.70',
  JPEG_LS_LOSSLESS: '1.2.840.10008.1.2.4.80',
  JPEG_LS_NEAR: '1.2.840.10008.1.2.4.81',
  J2K_LOSSLESS: '1.2.840.10008.1.2.4.90',
  J2K: '1.2.840.10008.1.2.4.91',
} as const;

const NATIVE = new Set<string>([TS.IMPLICIT_LE, TS.EXPLICIT_LE, TS.DEFLATED_LE, TS.EXPLICIT_BE]);

export const TS_NAMES: Readonly<Record<string, string>> = {
  [TS.IMPLICIT_LE]: 'Implicit VR Little Endian',
  [TS.EXPLICIT_LE]: 'Explicit VR Little Endian',
  [TS.DEFLATED_LE]: 'Deflated Explicit VR Little Endian',
  [TS.EXPLICIT_BE]: 'Explicit VR Big Endian',
  [TS.RLE]: 'RLE Lossless',
  [TS.JPEG_BASELINE]: 'JPEG Baseline (Process 1)',
  [TS.JPEG_EXTENDED]: 'JPEG Extended (Process 2 & 4)',
  [TS.JPEG_LOSSLESS]: 'JPEG Lossless (Process 14)',
  [TS.JPEG_LOSSLESS_SV1]: 'JPEG Lossless SV1 (Process 14, selection value 1)',
  [TS.JPEG_LS_LOSSLESS]: 'JPEG-LS Lossless',
  [TS.JPEG_LS_NEAR]: 'JPEG-LS Near-Lossless',
  [TS.J2K_LOSSLESS]: 'JPEG 2000 Lossless',
  [TS.J2K]: 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

export function tsName(uid: string): string {
  return TS_NAMES[uid] ?? 'unknown transfer syntax';
}

export interface DicomFile {
  readonly path: string;
  readonly transferSyntax: string;
  /** Dataset by keyword (dcmjs naturalized), without PixelData. */
  readonly ds: Readonly<Record<string, unknown>>;
  /** PixelData as dcmjs split it: native → one buffer; encapsulated → one buffer per frame or per fragment. */
  readonly pixels: readonly ArrayBuffer[] | null;
  /** Whether the dataset has a PixelData element (known for header-only reads too). */
  readonly hasPixelData: boolean;
  readonly encapsulated: boolean;
  readonly littleEndian: boolean;
}

const PIXEL_DATA = '7FE00010';
/** Most bytes a deflated DICOM dataset may inflate to (a 512×512×1000 16-bit multi-frame is 500 MiB). */
export const MAX_INFLATED_DICOM_BYTES = 640 * 1024 * 1024;
/** Bytes read for a header-only look; a header longer than this is read whole. */
const HEADER_PREFIX = 64 * 1024;

/** Whether the bytes look like DICOM at all (preamble + DICM, or a bare dataset starting in group 0008). */
export function looksLikeDicom(b: Uint8Array): boolean {
  if (b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return true;
  return guessBareSyntax(b) !== null;
}

/** Transfer syntax of a file with no preamble / file meta, from its first element; null if not a dataset. */
function guessBareSyntax(b: Uint8Array): string | null {
  if (b.length < 8) return null;
  const le = b[0] === 0x08 && b[1] === 0x00;
  const be = b[0] === 0x00 && b[1] === 0x08;
  if (!le && !be) return null;
  const vr0 = b[4] as number;
  const vr1 = b[5] as number;
  const explicit = vr0 >= 0x41 && vr0 <= 0x5a && vr1 >= 0x41 && vr1 <= 0x5a;
  if (be) return explicit ? TS.EXPLICIT_BE : null;
  return explicit ? TS.EXPLICIT_LE : TS.IMPLICIT_LE;
}

/**
 * Parse DICOM bytes. `headerOnly` stops at PixelData (its value is not read). Returns null
 * for a header-only parse of a prefix that ended before PixelData (caller reads more).
 */
export function parseDicom(
  bytes: Uint8Array,
  file: string,
  opts: { headerOnly?: boolean; isPrefix?: boolean } = {},
): DicomFile | null {
  checkNesting(bytes, file);
  // A whole-file Buffer owns its ArrayBuffer: no copy needed (small files share Node's pool: copy those).
  const ab =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes.buffer
      : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const { ReadBufferStream: RBS, DicomMessage } = dcmjs.data;
  let stream: ReadBufferStream = new RBS(ab, null, { noCopy: false });
  let size = ab.byteLength;
  let ts: string;
  const hasPreamble = looksLikeDicomPreamble(bytes);
  const malformed: string[] = [];
  return withQuietDcmjs(malformed, () => {
    if (hasPreamble) {
      stream.reset();
      stream.increment(132);
      const meta = guard(file, 'DICOM file meta', () => readMeta(stream));
      const tsValue = meta['00020010']?.Value?.[0];
      if (typeof tsValue !== 'string' || tsValue.trim() === '')
        fail('E_INPUT_FORMAT', file, 'DICOM file meta has no TransferSyntaxUID');
      ts = tsValue.replace(/\0/g, '').trim();
    } else {
      const guessed = guessBareSyntax(bytes);
      if (guessed === null)
        fail('E_INPUT_FORMAT', file, 'not a DICOM file (no DICM preamble and no DICOM dataset at the start)');
      ts = guessed;
      stream.reset();
    }
    if (ts === TS.DEFLATED_LE) {
      if (opts.isPrefix) return null; // the whole deflated stream is needed
      const start = stream.offset;
      const inflated = inflateCapped(bytes.subarray(start), MAX_INFLATED_DICOM_BYTES, file, 'the deflated dataset');
      checkNesting(inflated, file);
      stream = new RBS(
        inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + inflated.byteLength) as ArrayBuffer,
        null,
        {
          noCopy: false,
        },
      );
      size = inflated.byteLength;
    }
    const syntax = DicomMessage._normalizeSyntax(ts);
    const readOpts = {
      untilTag: opts.headerOnly ? PIXEL_DATA : null,
      includeUntilTagValue: false,
      stopOnGreaterTag: false,
    };
    let dict: DcmjsDict;
    try {
      dict = readDataset(stream, syntax, readOpts);
    } catch (e) {
      if (opts.isPrefix) return null;
      throw asPerifatError(e, file, 'DICOM dataset');
    }
    if (stream.offset > size) {
      if (opts.isPrefix) return null;
      fail(
        'E_INPUT_TRUNCATED',
        file,
        `file is truncated: the dataset needs ${stream.offset} bytes, the file has ${size}`,
      );
    }
    if (opts.isPrefix && !(PIXEL_DATA in dict)) return null;
    if (malformed.length > 0) {
      fail(
        'E_INPUT_FORMAT',
        file,
        `malformed data element (invalid VR ${JSON.stringify(malformed[0])}), e.g. a broken sequence item`,
      );
    }
    const pd = dict[PIXEL_DATA];
    delete dict[PIXEL_DATA];
    const hasPixelData = pd !== undefined;
    const ds = guard(file, 'DICOM dataset', () => dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict));
    let pixels: ArrayBuffer[] | null = null;
    if (!opts.headerOnly && pd !== undefined && Array.isArray(pd.Value)) {
      pixels = pd.Value.filter((v): v is ArrayBuffer => v instanceof ArrayBuffer);
    }
    return {
      path: file,
      transferSyntax: ts,
      ds,
      pixels,
      hasPixelData,
      encapsulated: !NATIVE.has(ts),
      littleEndian: ts !== TS.EXPLICIT_BE,
    };
  });
}

function looksLikeDicomPreamble(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
}

/** File meta group (0002): by its group length when present, else element by element. */
function readMeta(stream: ReadBufferStream): DcmjsDict {
  const { DicomMessage } = dcmjs.data;
  const start = stream.offset;
  const first = DicomMessage._readTag(stream, TS.EXPLICIT_LE);
  if (first.tag.toCleanString() === '00020000' && Array.isArray(first.values) && typeof first.values[0] === 'number') {
    const sub = stream.more(first.values[0]);
    return DicomMessage._read(sub, TS.EXPLICIT_LE, {
      ignoreErrors: false,
      untilTag: null,
      includeUntilTagValue: false,
    });
  }
  stream.offset = start;
  return DicomMessage._read(stream, TS.EXPLICIT_LE, {
    untilTag: '00030000',
    stopOnGreaterTag: true,
    ignoreErrors: false,
  });
}

/** dcmjs refuses unknown character sets unless told to ignore errors; names stay out of perifat anyway. */
function readDataset(
  stream: ReadBufferStream,
  syntax: string,
  opts: { untilTag: string | null; includeUntilTagValue: boolean; stopOnGreaterTag: boolean },
): DcmjsDict {
  const start = stream.offset;
  try {
    return dcmjs.data.DicomMessage._read(stream, syntax, { ...opts, ignoreErrors: false });
  } catch (e) {
    if (!(e instanceof Error) || !/character set/i.test(e.message)) throw e;
    stream.offset = start;
    const d = dcmjs.data.DicomMessage._read(stream, syntax, { ...opts, ignoreErrors: true });
    return d;
  }
}

/** Silence dcmjs's console logging while parsing, and collect what it says about malformed VRs. */
function withQuietDcmjs<T>(malformed: string[], fn: () => T): T {
  const vlog = dcmjs.log.getLogger('validation.dcmjs');
  const savedV = vlog.error;
  const savedW = dcmjs.log.warn;
  vlog.error = (...args: unknown[]) => {
    if (args[0] === 'Invalid vr type') {
      const vr = String(args[1]);
      // 'ox'/'xs' are dictionary placeholders of implicit VR (pixel data, US/SS), not file faults.
      if (!/^[A-Z]{2}$/.test(vr) && vr !== 'ox' && vr !== 'xs') malformed.push(vr);
    }
  };
  dcmjs.log.warn = () => {};
  try {
    return fn();
  } finally {
    vlog.error = savedV;
    dcmjs.log.warn = savedW;
  }
}

/** Deepest nesting of undefined-length items accepted (real files stay below ten). */
export const MAX_ITEM_DEPTH = 64;

/**
 * Refuses sequences nested deeper than MAX_ITEM_DEPTH before the recursive reader sees them (50,000
 * nested items cost it minutes and gigabytes). Counts undefined-length item starts against item
 * delimiters, in either byte order: 8-byte patterns that do not occur by chance.
 */
function checkNesting(b: Uint8Array, file: string): void {
  let depth = 0;
  for (let i = 0; i + 8 <= b.length; i++) {
    const x = b[i];
    if (x !== 0xfe && x !== 0xff) continue;
    const le = x === 0xfe && b[i + 1] === 0xff && b[i + 2] === 0x00 && b[i + 3] === 0xe0;
    const be = x === 0xff && b[i + 1] === 0xfe && b[i + 2] === 0xe0 && b[i + 3] === 0x00;
    const undefinedLength = b[i + 4] === 0xff && b[i + 5] === 0xff && b[i + 6] === 0xff && b[i + 7] === 0xff;
    if ((le || be) && undefinedLength) {
      if (++depth > MAX_ITEM_DEPTH)
        fail('E_INPUT_FORMAT', file, `sequences nested deeper than ${MAX_ITEM_DEPTH} items`);
      i += 7;
      continue;
    }
    const endLe = x === 0xfe && b[i + 1] === 0xff && b[i + 2] === 0x0d && b[i + 3] === 0xe0;
    const endBe = x === 0xff && b[i + 1] === 0xfe && b[i + 2] === 0xe0 && b[i + 3] === 0x0d;
    if ((endLe || endBe) && depth > 0) depth--;
  }
}

/** Read and parse a whole file. */
export async function readDicomFile(input: InputFile): Promise<DicomFile> {
  const f = parseDicom(await readAll(input), input.name);
  if (f === null) fail('E_INPUT_FORMAT', input.name, 'could not parse DICOM file');
  return f;
}

/**
 * Header of a file without its pixel data: parses a 64 KiB prefix, and the whole file only
 * when the header is longer (or deflated). Returns null for a file that is not DICOM.
 */
export async function readDicomHeader(input: InputFile): Promise<DicomFile | null> {
  const whole = input.size <= HEADER_PREFIX;
  const prefix = await readRange(input, 0, Math.min(input.size, HEADER_PREFIX));
  if (!looksLikeDicom(prefix)) return null;
  if (!whole) {
    const f = parseDicom(prefix, input.name, { headerOnly: true, isPrefix: true });
    if (f !== null) return f;
  }
  return parseDicom(whole ? prefix : await readAll(input), input.name, { headerOnly: true });
}
