/**
 * gzip decompression with a cap on the output, the same in a page, a worker and Node: the web's
 * DecompressionStream by default; Node registers zlib (faster) through setGunzip. The size field of
 * a gzip trailer is never trusted: the stream is read until it ends or passes the cap.
 */
import { PerifatError } from '../errors';
import { concatBytes } from '../util/bytes';
import { fail } from './errors';

/**
 * Decompresses `gz`, refusing output past maxBytes (E_TOO_LARGE). With `prefix`, returns as soon as
 * at least that many bytes are out (a header), without the cap and without inflating the rest.
 */
export type Gunzip = (
  gz: Uint8Array,
  maxBytes: number,
  name: string,
  prefix?: number,
) => Promise<Uint8Array> | Uint8Array;

let implementation: Gunzip = gunzipStream;

/** Replace the decompressor (Node: zlib). It must refuse output beyond maxBytes with a typed error. */
export function setGunzip(fn: Gunzip): void {
  implementation = fn;
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export function gunzip(gz: Uint8Array, maxBytes: number, name: string, prefix?: number): Promise<Uint8Array> {
  return Promise.resolve(implementation(gz, maxBytes, name, prefix));
}

async function gunzipStream(gz: Uint8Array, maxBytes: number, name: string, prefix?: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([gz as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (prefix !== undefined && total >= prefix) {
        parts.push(value);
        await reader.cancel();
        break;
      }
      if (total > maxBytes) {
        await reader.cancel();
        fail('E_TOO_LARGE', name, `gzip stream inflates past ${maxBytes} bytes (the limit)`);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof PerifatError) throw e;
    fail('E_INPUT_TRUNCATED', name, `gzip stream: ${(e as Error).message}`);
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  return concatBytes(parts);
}
