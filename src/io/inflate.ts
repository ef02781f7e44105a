/**
 * zlib / raw-deflate decompression with a cap, for the deflated DICOM transfer syntax and VTK XML
 * blocks: a small file can claim or hold gigabytes of zeros, so output past the cap is refused
 * (E_TOO_LARGE) as it streams, before it is ever allocated whole.
 */
import { Inflate, Unzlib } from 'fflate';
import { concatBytes } from '../util/bytes';
import { fail } from './errors';

function capped(make: (ondata: (chunk: Uint8Array) => void) => { push(d: Uint8Array, final: boolean): void }) {
  return (data: Uint8Array, maxBytes: number, name: string, what: string): Uint8Array => {
    const parts: Uint8Array[] = [];
    let total = 0;
    const stream = make((chunk) => {
      total += chunk.byteLength;
      if (total > maxBytes) fail('E_TOO_LARGE', name, `${what} inflates past ${maxBytes} bytes (the limit)`);
      parts.push(chunk);
    });
    try {
      // Fed in slices so the cap is checked as the output grows.
      const step = 1 << 16;
      for (let o = 0; o < data.byteLength; o += step) {
        stream.push(data.subarray(o, Math.min(data.byteLength, o + step)), o + step >= data.byteLength);
      }
      if (data.byteLength === 0) stream.push(data, true);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'E_TOO_LARGE') throw e;
      fail('E_INPUT_TRUNCATED', name, `${what}: truncated or corrupt (${(e as Error).message})`);
    }
    return concatBytes(parts);
  };
}

/** Raw deflate (DICOM Deflated Explicit VR Little Endian). */
export const inflateCapped = capped((ondata) => {
  const s = new Inflate();
  s.ondata = (chunk) => ondata(chunk);
  return s;
});

/** zlib-wrapped deflate (VTK XML compressed blocks). */
export const unzlibCapped = capped((ondata) => {
  const s = new Unzlib();
  s.ondata = (chunk) => ondata(chunk);
  return s;
});
