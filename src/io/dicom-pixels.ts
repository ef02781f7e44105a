/**
 * Pixel format of a DICOM image and decoding of one frame straight into its slice of the final
 * volume, with the slice's rescale applied (so no second full-size copy is ever held).
 */
import { fail } from './errors';
import type { DicomFile } from './dicom-read';
import { assertDecodable, decodeFrame, prepareCodec, splitFrames, type FrameFormat } from './dicom-codecs';
import { num } from './dicom-values';

export interface PixelFormat extends FrameFormat {
  readonly bitsStored: number;
  /** PixelRepresentation 1: two's complement stored values. */
  readonly signed: boolean;
}

export function pixelFormat(ds: Readonly<Record<string, unknown>>, file: string): PixelFormat {
  const rows = num(ds, 'Rows');
  const cols = num(ds, 'Columns');
  const bitsAllocated = num(ds, 'BitsAllocated');
  if (rows === null || cols === null || bitsAllocated === null)
    fail('E_INPUT_FORMAT', file, 'image without Rows/Columns/BitsAllocated');
  const bitsStored = num(ds, 'BitsStored') ?? bitsAllocated;
  const samples = num(ds, 'SamplesPerPixel') ?? 1;
  if (
    !(rows >= 1 && rows <= 65535 && cols >= 1 && cols <= 65535) ||
    !Number.isInteger(rows) ||
    !Number.isInteger(cols)
  ) {
    fail('E_INPUT_FORMAT', file, `invalid image size ${cols}×${rows}`);
  }
  if (![1, 8, 16, 32].includes(bitsAllocated))
    fail('E_INPUT_UNSUPPORTED', file, `BitsAllocated ${bitsAllocated} is not supported`);
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated))
    fail('E_INPUT_FORMAT', file, `BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}`);
  if (samples !== 1 && samples !== 3) fail('E_INPUT_FORMAT', file, `SamplesPerPixel ${samples}`);
  return { rows, cols, bitsAllocated, bitsStored, samples, signed: num(ds, 'PixelRepresentation') === 1 };
}

export function frameCount(ds: Readonly<Record<string, unknown>>): number {
  const n = num(ds, 'NumberOfFrames');
  return n !== null && Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Decodes the frames of one parsed file. */
export class FrameReader {
  private readonly native: Uint8Array | null = null;
  private readonly encoded: Uint8Array[] | null = null;
  readonly frameSamples: number;

  constructor(
    readonly file: DicomFile,
    readonly fmt: PixelFormat,
    readonly nFrames: number,
  ) {
    const pixels = file.pixels;
    if (pixels === null || pixels.length === 0) fail('E_INPUT_PIXELS', file.path, 'no pixel data');
    this.frameSamples = fmt.rows * fmt.cols * fmt.samples;
    if (file.encapsulated) {
      assertDecodable(file.transferSyntax, file.path);
      this.encoded = splitFrames(pixels, nFrames, file.transferSyntax, file.path);
    } else {
      const buf = new Uint8Array(pixels[0] as ArrayBuffer);
      const need = Math.ceil((this.frameSamples * nFrames * fmt.bitsAllocated) / 8);
      if (buf.byteLength < need)
        fail('E_INPUT_PIXELS', file.path, `pixel data has ${buf.byteLength} bytes, ${nFrames} frame(s) need ${need}`);
      this.native = buf;
    }
  }

  async prepare(): Promise<void> {
    if (this.file.encapsulated) await prepareCodec(this.file.transferSyntax, this.file.path);
  }

  /**
   * Frame f → target[offset …] as slope·stored + intercept. Returns false when the target is
   * int16 and a value does not fit (the caller then loads into float32 instead).
   */
  writeFrame(f: number, target: Int16Array | Float32Array, offset: number, slope: number, intercept: number): boolean {
    const { fmt } = this;
    const n = this.frameSamples;
    if (!(Number.isInteger(f) && f >= 0 && f < this.nFrames))
      fail('E_INPUT_PIXELS', this.file.path, `frame ${f} does not exist (${this.nFrames} frame(s))`);
    if (this.native !== null) {
      const src = nativeFrame(this.native, f, n, fmt, this.file.littleEndian);
      return writeSamples(src, n, fmt, false, target, offset, slope, intercept);
    }
    const enc = (this.encoded as Uint8Array[])[f];
    if (enc === undefined) fail('E_INPUT_PIXELS', this.file.path, `frame ${f} is missing`);
    const dec = decodeFrame(this.file.transferSyntax, enc, fmt, this.file.path);
    return writeSamples(dec.data, n, fmt, dec.interpreted, target, offset, slope, intercept);
  }

  /** Frame f as 0/1 (or small integer) bytes, for segmentations. 1-bit frames are packed across frame boundaries. */
  frameBytes(f: number): Uint8Array {
    const { fmt } = this;
    const n = fmt.rows * fmt.cols;
    if (fmt.bitsAllocated === 1) {
      const out = new Uint8Array(n);
      if (this.native !== null) {
        const base = f * n;
        for (let i = 0; i < n; i++) {
          const bit = base + i;
          out[i] = ((this.native[bit >> 3] as number) >> (bit & 7)) & 1;
        }
        return out;
      }
      const packed = decodeFrame(
        this.file.transferSyntax,
        (this.encoded as Uint8Array[])[f] as Uint8Array,
        fmt,
        this.file.path,
      ).data;
      for (let i = 0; i < n; i++) out[i] = ((packed[i >> 3] as number) >> (i & 7)) & 1;
      return out;
    }
    if (fmt.bitsAllocated !== 8)
      fail('E_INPUT_UNSUPPORTED', this.file.path, `segmentation with ${fmt.bitsAllocated} bits allocated`);
    if (this.native !== null) return this.native.subarray(f * n, (f + 1) * n);
    return decodeFrame(this.file.transferSyntax, (this.encoded as Uint8Array[])[f] as Uint8Array, fmt, this.file.path)
      .data as Uint8Array;
  }
}

function nativeFrame(
  buf: Uint8Array,
  f: number,
  n: number,
  fmt: PixelFormat,
  littleEndian: boolean,
): Uint8Array | Uint16Array | Uint32Array {
  const bytes = fmt.bitsAllocated / 8;
  const start = buf.byteOffset + f * n * bytes;
  if (bytes === 1) return new Uint8Array(buf.buffer, start, n);
  const aligned = start % bytes === 0;
  if (littleEndian && aligned)
    return bytes === 2 ? new Uint16Array(buf.buffer, start, n) : new Uint32Array(buf.buffer, start, n);
  // Big endian (or odd offset): assemble each sample; one frame, not the volume.
  const dv = new DataView(buf.buffer, start, n * bytes);
  if (bytes === 2) {
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getUint16(2 * i, littleEndian);
    return out;
  }
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(4 * i, littleEndian);
  return out;
}

/** Stored bit patterns → values (mask / sign-extend to BitsStored) → rescale → target. */
function writeSamples(
  src: ArrayLike<number>,
  n: number,
  fmt: PixelFormat,
  interpreted: boolean,
  target: Int16Array | Float32Array,
  off: number,
  slope: number,
  intercept: number,
): boolean {
  const bs = fmt.bitsStored;
  const isInt16 = target instanceof Int16Array;
  // The common case (16-bit samples into int16 HU) gets its own monomorphic loop: several times faster.
  if (!interpreted && bs <= 16 && src instanceof Uint16Array && isInt16) {
    return u16ToInt16(src, n, bs, fmt.signed, target, off, slope, intercept);
  }
  let lo = Infinity;
  let hi = -Infinity;
  if (interpreted) {
    for (let i = 0; i < n; i++) {
      const v = src[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      target[off + i] = v * slope + intercept;
    }
  } else if (fmt.signed) {
    const sh = 32 - bs;
    for (let i = 0; i < n; i++) {
      const v = ((src[i] as number) << sh) >> sh;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      target[off + i] = v * slope + intercept;
    }
  } else {
    const mask = bs >= 32 ? 0xffffffff : 2 ** bs - 1;
    for (let i = 0; i < n; i++) {
      const v = bs >= 32 ? (src[i] as number) >>> 0 : (src[i] as number) & mask;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      target[off + i] = v * slope + intercept;
    }
  }
  if (!isInt16 || n === 0) return true;
  const a = lo * slope + intercept;
  const b = hi * slope + intercept;
  return Math.min(a, b) >= -32768 && Math.max(a, b) <= 32767;
}

function u16ToInt16(
  src: Uint16Array,
  n: number,
  bs: number,
  signed: boolean,
  target: Int16Array,
  off: number,
  slope: number,
  intercept: number,
): boolean {
  let lo = 65535;
  let hi = -65536;
  const sh = 32 - bs;
  const mask = (1 << bs) - 1;
  if (!signed && slope === 1 && Number.isInteger(intercept)) {
    // Integer-only loop for the usual CT (slope 1, integer intercept, unsigned samples).
    for (let i = 0; i < n; i++) {
      const v = (src[i] as number) & mask;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      target[off + i] = v + intercept;
    }
    return n === 0 || (lo + intercept >= -32768 && hi + intercept <= 32767);
  }
  for (let i = 0; i < n; i++) {
    const u = src[i] as number;
    const v = signed ? (u << sh) >> sh : u & mask;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    target[off + i] = v * slope + intercept;
  }
  if (n === 0) return true;
  const a = lo * slope + intercept;
  const b = hi * slope + intercept;
  return Math.min(a, b) >= -32768 && Math.max(a, b) <= 32767;
}
