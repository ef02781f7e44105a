/**
 * Paths on disk → the bytes readers of src/io (CLI, batch, tests): a folder is a DICOM series (its
 * regular files, sorted by name), a file is read by content. Registers zlib for gzip (faster than
 * the web's DecompressionStream in Node).
 */
import { looksLikeNifti, parseNiftiHeader } from '../../io/nifti-read';
import type { Geometry } from '../../volume/geometry';
import { createGunzip, gunzip } from 'node:zlib';
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
import type { ReadLimits } from '../../io/limits';
import { fileAt, filesAt } from './files';
import { timedIo } from './io-clock';

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

/**
 * Whole gzip streams inflate on libuv's threads (two masks read at once inflate side by side) into
 * one chunk of the size the caller allows — the NIfTI reader passes what the header describes — so
 * no list of 64 KiB chunks is concatenated (a copy that cost as much as the inflating itself).
 */
const ONE_CHUNK_MAX = 1 << 30;

setGunzip((gz, maxBytes, name, prefix) => {
  if (prefix !== undefined) return timedIo('inflate', () => gunzipPrefix(gz, prefix, name));
  return timedIo('inflate', () => gunzipWhole(gz, maxBytes, name));
});

function gunzipWhole(gz: Uint8Array, maxBytes: number, name: string): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    gunzip(
      gz,
      { maxOutputLength: maxBytes, chunkSize: Math.max(64 * 1024, Math.min(maxBytes, ONE_CHUNK_MAX)) },
      (e, out) => {
        if (!e) return ok(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        const msg = e.message;
        if (
          /larger than|maxOutputLength|ERR_BUFFER_TOO_LARGE/i.test(msg) ||
          (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        )
          fail(
            new PerifatError('E_TOO_LARGE', `gzip stream inflates past ${maxBytes} bytes (the limit)`, { file: name }),
          );
        else
          fail(
            new PerifatError('E_INPUT_TRUNCATED', `gzip stream: file is truncated or corrupt (${msg})`, { file: name }),
          );
      },
    );
  });
}

/** Load a CT: folder → DICOM series; a file → NIfTI or DICOM by content. */
export async function loadCt(path: string, opts: LoadCtOptions = {}): Promise<CtVolume> {
  return readCtFiles(await filesAt(path), path, opts);
}

/** A NIfTI CT's grid from its header alone (no voxel read): for derivations that need no HU. */
export async function loadNiftiGrid(path: string): Promise<Geometry> {
  const f = await fileAt(path);
  // The header lies in the first bytes, gzipped or not: 64 KiB hold it with room to spare.
  return (await parseNiftiHeader(await f.read(0, Math.min(f.size, 1 << 16)), path)).geometry;
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

/** A CT with the pericardium mask and centerlines measured on it; either may be absent. */
export interface CaseFiles {
  readonly ct: string;
  readonly pericardium?: string | undefined;
  readonly vessels?: string | undefined;
}

export interface LoadedCase {
  ct: CtVolume;
  pericardium: LabelVolume | null;
  vessels: VesselSet | null;
}

/**
 * The CT, its pericardium mask and its centerlines. The mask and the centerlines need only the CT's
 * grid: for a NIfTI CT that is its header, so they are read (and the mask inflated, on another of
 * libuv's threads) while the CT's voxels inflate. Errors come in the order of a one-by-one read:
 * the CT's first, then the mask's, then the centerlines'.
 */
export async function loadCaseFiles(files: CaseFiles, limits: ReadLimits = {}): Promise<LoadedCase> {
  const grid = files.pericardium || files.vessels ? await niftiGridOrNull(files.ct) : null;
  if (!grid) {
    const ct = await loadCt(files.ct, limits);
    const pericardium = files.pericardium ? await loadLabels(files.pericardium, { onto: ct, ...limits }) : null;
    const vessels = files.vessels ? await loadVessels(files.vessels, { ct, ...limits }) : null;
    return { ct, pericardium, vessels };
  }
  const [ct, pericardium, vessels] = await Promise.allSettled([
    loadCt(files.ct, limits),
    files.pericardium ? loadLabels(files.pericardium, { onto: grid, ...limits }) : null,
    files.vessels ? loadVessels(files.vessels, { ct: grid, ...limits }) : null,
  ]);
  for (const r of [ct, pericardium, vessels]) if (r.status === 'rejected') throw r.reason;
  return {
    ct: (ct as PromiseFulfilledResult<CtVolume>).value,
    pericardium: (pericardium as PromiseFulfilledResult<LabelVolume | null>).value,
    vessels: (vessels as PromiseFulfilledResult<VesselSet | null>).value,
  };
}

/** A NIfTI file's grid from its header, or null for anything else (a DICOM series, an unreadable file). */
async function niftiGridOrNull(path: string): Promise<Geometry | null> {
  try {
    const f = await fileAt(path);
    const head = await f.read(0, Math.min(f.size, 1 << 16));
    return looksLikeNifti(head) ? (await parseNiftiHeader(head, path)).geometry : null;
  } catch {
    // The CT's own reader reports what is wrong with it.
    return null;
  }
}
