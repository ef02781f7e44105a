/**
 * Decoders for encapsulated (compressed) pixel data. RLE is decoded here (PS3.5 Annex G is a
 * page of PackBits); JPEG Lossless (process 14) by jpeg-lossless-decoder-js (pure JS); JPEG-LS by
 * CharLS and JPEG 2000 by OpenJPEG, both WebAssembly builds shipped inside their npm packages
 * and loaded only when a file needs them. Lossy 8/12-bit JPEG and HTJ2K are refused by name.
 */
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { fail } from './errors';
import { TS, tsName } from './dicom-read';
import { concatBytes } from '../util/bytes';
import { type CodecName, codecWasmBytes } from './codec-wasm';

export interface FrameFormat {
  readonly rows: number;
  readonly cols: number;
  readonly bitsAllocated: number;
  readonly samples: number;
}

/** Decoded samples of one frame. `interpreted`: values are final stored values (sign already applied). */
export interface DecodedFrame {
  readonly data: Uint8Array | Int8Array | Uint16Array | Int16Array;
  readonly interpreted: boolean;
}

const SUPPORTED = new Set<string>([
  TS.RLE,
  TS.JPEG_LOSSLESS,
  TS.JPEG_LOSSLESS_SV1,
  TS.JPEG_LS_LOSSLESS,
  TS.JPEG_LS_NEAR,
  TS.J2K_LOSSLESS,
  TS.J2K,
]);

export function isSupportedEncapsulated(ts: string): boolean {
  return SUPPORTED.has(ts);
}

/** Refuse, before any pixel is read, a transfer syntax perifat cannot decode. */
export function assertDecodable(ts: string, file: string): void {
  if (SUPPORTED.has(ts)) return;
  const why =
    ts === TS.JPEG_BASELINE || ts === TS.JPEG_EXTENDED
      ? ' (lossy 8/12-bit JPEG is not used for CT HU and is not decoded)'
      : '';
  fail('E_INPUT_UNSUPPORTED', file, `pixel data in transfer syntax ${ts} (${tsName(ts)}) cannot be decoded${why}`);
}

let charls: Promise<EmscriptenCodecModule> | null = null;
let openjpeg: Promise<EmscriptenCodecModule> | null = null;
let charlsReady: EmscriptenCodecModule | null = null;
let openjpegReady: EmscriptenCodecModule | null = null;
// Emscripten modules print progress to the console unless given these.
/**
 * Emscripten module options. A fresh object per instance: the factory decorates the object it is
 * given (embind registers the decoder classes on it), so reusing one after a reload fails with
 * "Cannot register public name twice" (found by bench/fuzz.ts).
 */
const quiet = () => ({ print: () => {}, printErr: () => {} });

/** An Emscripten codec factory given its binary (a browser) or left to find its own (Node). */
async function instantiate(
  codec: CodecName,
  load: () => Promise<{ default: (arg?: Record<string, unknown>) => Promise<EmscriptenCodecModule> }>,
): Promise<EmscriptenCodecModule> {
  const [factory, wasmBinary] = await Promise.all([load(), codecWasmBytes(codec)]);
  return factory.default({ ...quiet(), ...(wasmBinary ? { wasmBinary } : {}) });
}

/**
 * Load the WebAssembly codec a transfer syntax needs (once per process). A codec that cannot load
 * (its .wasm missing or blocked by a CSP without 'wasm-unsafe-eval') is E_INPUT_UNSUPPORTED naming
 * the file and the syntax: the file is fine, this runtime cannot decode it.
 */
export async function prepareCodec(ts: string, file = 'dicom'): Promise<void> {
  try {
    if (ts === TS.JPEG_LS_LOSSLESS || ts === TS.JPEG_LS_NEAR) {
      charls ??= instantiate('jpeg-ls', () => import('@cornerstonejs/codec-charls/decodewasmjs'));
      charlsReady = await charls;
    } else if (ts === TS.J2K_LOSSLESS || ts === TS.J2K) {
      openjpeg ??= instantiate('jpeg2000', () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'));
      openjpegReady = await openjpeg;
    }
  } catch (e) {
    // Try again from scratch on the next file (the app may have called setCodecWasm meanwhile).
    if (ts === TS.JPEG_LS_LOSSLESS || ts === TS.JPEG_LS_NEAR) charls = null;
    else openjpeg = null;
    const why = e instanceof Error ? e.message : typeof e === 'number' ? `codec abort ${e}` : String(e);
    fail(
      'E_INPUT_UNSUPPORTED',
      file,
      `the ${tsName(ts)} decoder (transfer syntax ${ts}) could not be loaded in this runtime: ${why}`,
    );
  }
}

/**
 * A JPEG (lossless) codestream must describe the image the header does (its SOF size) and end with
 * its end-of-image marker: the decoder would otherwise allocate what a patched SOF claims, or fill
 * a cut stream's missing rows with zeros and measure them.
 */
function checkJpegFrame(frame: Uint8Array, fmt: FrameFormat, file: string): void {
  for (let i = 0; i + 9 < frame.length; i++) {
    if (frame[i] !== 0xff) continue;
    const m = frame[i + 1] as number;
    // SOF markers C0–CF except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const rows = ((frame[i + 5] as number) << 8) | (frame[i + 6] as number);
      const cols = ((frame[i + 7] as number) << 8) | (frame[i + 8] as number);
      if (rows !== fmt.rows || cols !== fmt.cols) {
        fail('E_INPUT_PIXELS', file, `JPEG frame is ${cols}×${rows}, the header says ${fmt.cols}×${fmt.rows}`);
      }
      break;
    }
  }
  let end = frame.length;
  while (end > 2 && frame[end - 1] === 0) end--; // fragments are padded to an even length
  if (!(frame[end - 2] === 0xff && frame[end - 1] === 0xd9)) {
    fail('E_INPUT_PIXELS', file, 'JPEG frame is truncated (no end-of-image marker)');
  }
}

/** Decode one compressed frame. prepareCodec(ts) must have resolved. */
export function decodeFrame(ts: string, frame: Uint8Array, fmt: FrameFormat, file: string): DecodedFrame {
  const px = fmt.rows * fmt.cols * fmt.samples;
  const n = fmt.bitsAllocated === 1 ? Math.ceil(px / 8) : px;
  let out: DecodedFrame;
  try {
    switch (ts) {
      case TS.RLE:
        out = decodeRle(frame, fmt, file);
        break;
      case TS.JPEG_LOSSLESS:
      case TS.JPEG_LOSSLESS_SV1: {
        checkJpegFrame(frame, fmt, file);
        const ab = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer;
        const data = new JpegLosslessDecoder().decode(ab, 0, frame.byteLength, fmt.bitsAllocated > 8 ? 2 : 1);
        out = { data, interpreted: false };
        break;
      }
      case TS.JPEG_LS_LOSSLESS:
      case TS.JPEG_LS_NEAR:
        out = decodeWasm(charlsReady?.JpegLSDecoder, frame, fmt, false);
        break;
      case TS.J2K_LOSSLESS:
      case TS.J2K:
        out = decodeWasm(openjpegReady?.J2KDecoder, frame, fmt, true);
        break;
      default:
        assertDecodable(ts, file);
        throw new Error('unreachable');
    }
  } catch (e) {
    if (e instanceof Error && e.name === 'PerifatError') throw e;
    // An aborted WebAssembly module is unusable afterwards: load a fresh one for the next file.
    if (ts === TS.JPEG_LS_LOSSLESS || ts === TS.JPEG_LS_NEAR) charls = charlsReady = null;
    if (ts === TS.J2K_LOSSLESS || ts === TS.J2K) openjpeg = openjpegReady = null;
    const msg = e instanceof Error ? e.message : typeof e === 'number' ? `codec abort ${e}` : String(e);
    fail('E_INPUT_PIXELS', file, `${tsName(ts)} pixel data could not be decoded (${msg})`);
  }
  if (out.data.length < n)
    fail('E_INPUT_PIXELS', file, `${tsName(ts)} frame decoded to ${out.data.length} samples, expected ${n}`);
  return out;
}

function decodeWasm(
  Ctor: (new () => WasmImageDecoder) | undefined,
  frame: Uint8Array,
  fmt: FrameFormat,
  signedInfo: boolean,
): DecodedFrame {
  if (Ctor === undefined) throw new Error('codec not loaded (prepareCodec not awaited)');
  const dec = new Ctor();
  try {
    dec.getEncodedBuffer(frame.byteLength).set(frame);
    dec.decode();
    const info = dec.getFrameInfo();
    if (info.width !== fmt.cols || info.height !== fmt.rows || info.componentCount !== fmt.samples) {
      throw new Error(
        `codestream is ${info.width}×${info.height}×${info.componentCount}, header says ${fmt.cols}×${fmt.rows}×${fmt.samples}`,
      );
    }
    const raw = dec.getDecodedBuffer();
    // Copy out of the WebAssembly heap: the view dies with the decoder.
    const bytes = raw.slice();
    const signed = signedInfo && info.isSigned === true;
    if (info.bitsPerSample <= 8) return { data: signed ? new Int8Array(bytes.buffer) : bytes, interpreted: signedInfo };
    return { data: signed ? new Int16Array(bytes.buffer) : new Uint16Array(bytes.buffer), interpreted: signedInfo };
  } finally {
    dec.delete();
  }
}

/** RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per byte plane. */
function decodeRle(frame: Uint8Array, fmt: FrameFormat, file: string): DecodedFrame {
  if (frame.byteLength < 64) fail('E_INPUT_PIXELS', file, 'RLE frame shorter than its 64-byte header');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSeg = dv.getUint32(0, true);
  const bytesPerSample = fmt.bitsAllocated === 1 ? 1 : fmt.bitsAllocated / 8;
  const expected = fmt.samples * bytesPerSample;
  if (nSeg !== expected || nSeg > 15)
    fail('E_INPUT_PIXELS', file, `RLE frame has ${nSeg} segments, expected ${expected}`);
  const pixels = fmt.rows * fmt.cols;
  const segLen = fmt.bitsAllocated === 1 ? Math.ceil(pixels / 8) : pixels;
  const offsets: number[] = [];
  for (let s = 0; s < nSeg; s++) offsets.push(dv.getUint32(4 + 4 * s, true));
  const planes: Uint8Array[] = [];
  for (let s = 0; s < nSeg; s++) {
    const start = offsets[s] as number;
    const end = s + 1 < nSeg ? (offsets[s + 1] as number) : frame.byteLength;
    if (start < 64 || end > frame.byteLength || end < start)
      fail('E_INPUT_PIXELS', file, `RLE segment ${s} offset ${start} is outside the frame`);
    planes.push(unpackBits(frame.subarray(start, end), segLen, file));
  }
  if (fmt.bitsAllocated <= 8) {
    if (fmt.samples === 1) return { data: planes[0] as Uint8Array, interpreted: false };
    const out = new Uint8Array(pixels * fmt.samples);
    for (let c = 0; c < fmt.samples; c++) {
      const p = planes[c] as Uint8Array;
      for (let i = 0; i < pixels; i++) out[i * fmt.samples + c] = p[i] as number;
    }
    return { data: out, interpreted: false };
  }
  if (fmt.bitsAllocated === 16 && fmt.samples === 1) {
    const hi = planes[0] as Uint8Array;
    const lo = planes[1] as Uint8Array;
    const out = new Uint16Array(pixels);
    for (let i = 0; i < pixels; i++) out[i] = ((hi[i] as number) << 8) | (lo[i] as number);
    return { data: out, interpreted: false };
  }
  fail(
    'E_INPUT_UNSUPPORTED',
    file,
    `RLE with ${fmt.bitsAllocated} bits allocated and ${fmt.samples} samples per pixel`,
  );
}

/** PackBits into exactly `n` bytes; a segment that runs short is an error, extra input is ignored. */
function unpackBits(src: Uint8Array, n: number, file: string): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  let o = 0;
  while (o < n && i < src.length) {
    const h = src[i++] as number;
    if (h < 128) {
      const len = Math.min(h + 1, n - o, src.length - i);
      out.set(src.subarray(i, i + len), o);
      i += h + 1;
      o += len;
    } else if (h > 128) {
      const len = Math.min(257 - h, n - o);
      if (i >= src.length) break;
      out.fill(src[i++] as number, o, o + len);
      o += len;
    }
  }
  if (o < n) fail('E_INPUT_PIXELS', file, `RLE segment decodes to ${o} bytes, expected ${n}`);
  return out;
}

/**
 * Split encapsulated PixelData into frames. dcmjs gives one buffer per frame when the basic
 * offset table is filled, else one per fragment: then one frame takes all fragments, or
 * fragments map 1:1, or frames start at a codestream marker (JPEG SOI, J2K SOC / JP2 box).
 */
export function splitFrames(parts: readonly ArrayBuffer[], nFrames: number, ts: string, file: string): Uint8Array[] {
  const u8 = parts.map((p) => new Uint8Array(p));
  if (u8.length === nFrames) return u8;
  if (nFrames === 1) return [concatBytes(u8)];
  if (ts !== TS.RLE) {
    const frames: Uint8Array[][] = [];
    for (const f of u8) {
      if (isFrameStart(f) || frames.length === 0) frames.push([f]);
      else (frames[frames.length - 1] as Uint8Array[]).push(f);
    }
    if (frames.length === nFrames) return frames.map(concatBytes);
  }
  fail(
    'E_INPUT_PIXELS',
    file,
    `encapsulated pixel data has ${u8.length} fragments for ${nFrames} frames and no usable offset table`,
  );
}

function isFrameStart(f: Uint8Array): boolean {
  if (f.length < 4) return false;
  if (f[0] === 0xff && (f[1] === 0xd8 || f[1] === 0x4f)) return true;
  return f[0] === 0 && f[1] === 0 && f[2] === 0 && f[3] === 0x0c;
}
