/**
 * Paths on disk → the bytes readers of src/io (CLI, batch, tests): a folder is a DICOM series (its
 * regular files, sorted by name), a file is read by content. Registers zlib for gzip (faster than
 * the web's DecompressionStream in Node).
 */
import { createGunzip, gunzipSync } from 'node:zlib';
import type { CtVolume, LabelVolume } from '../../volume/volume';
import type { VesselSet } from '../../volume/vessels';
import { PerifatError } from '../../errors';
import {
  type LoadCtOptions,
  type LoadLabelsOptions,
  type LoadVesselsOptions,
  readCtFiles,
  readDicomFrame,
  readLabels,
  readVesselsFile,
  setGunzip,
} from '../../io/index';
import { fileAt, filesAt } from './files';

/** The first bytes of a gzip stream (a header), inflating no further than needed. */
function gunzipPrefix(gz: Uint8Array, prefix: number, name: string): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    const z = createGunzip();
    const parts: Buffer[] = [];
    let total = 0;
    const done = () => {
      z.destroy();
      ok(new Uint8Array(Buffer.concat(parts)));
    };
    z.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      total += chunk.byteLength;
      if (total >= prefix) done();
    });
    z.on('end', done);
    z.on('error', (e) =>
      total > 0 ? done() : fail(new PerifatError('E_INPUT_TRUNCATED', `gzip stream: ${e.message}`, { file: name })),
    );
    z.end(gz);
  });
}

setGunzip((gz, maxBytes, name, prefix) => {
  if (prefix !== undefined) return gunzipPrefix(gz, prefix, name);
  try {
    const out = gunzipSync(gz, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const msg = (e as Error).message;
    if (
      /larger than|maxOutputLength|ERR_BUFFER_TOO_LARGE/i.test(msg) ||
      (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    )
      throw new PerifatError('E_TOO_LARGE', `gzip stream inflates past ${maxBytes} bytes (the limit)`, { file: name });
    throw new PerifatError('E_INPUT_TRUNCATED', `gzip stream: file is truncated or corrupt (${msg})`, { file: name });
  }
});

/** Load a CT: folder → DICOM series; a file → NIfTI or DICOM by content. */
export async function loadCt(path: string, opts: LoadCtOptions = {}): Promise<CtVolume> {
  return readCtFiles(await filesAt(path), path, opts);
}

export async function loadLabels(path: string, opts: LoadLabelsOptions = {}): Promise<LabelVolume> {
  return readLabels(await fileAt(path), opts);
}

export async function loadVessels(path: string, opts: LoadVesselsOptions = {}): Promise<VesselSet> {
  return readVesselsFile(await fileAt(path), opts);
}

export async function loadDicomFrame(path: string, frame = 0): ReturnType<typeof readDicomFrame> {
  return readDicomFrame(await fileAt(path), frame);
}
