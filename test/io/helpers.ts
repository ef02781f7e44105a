/** Shared helpers of the io tests: where the real data lives, temp folders, DICOM patching. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dcmjs, { type DcmjsDict } from 'dcmjs';
import { expect } from 'vitest';
import { PerifatError, type PerifatErrorCode } from '../../src/errors';

/** ../shared/data beside the project root (read in place, never copied into the repo). */
export const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export function data(rel: string): string {
  return join(DATA, rel);
}

export interface Expected {
  dims: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: number[];
  kvp: number | null;
  integral: boolean;
  sum: number;
  min: number;
  max: number;
  sliceSums: number[];
  voxels: { ijk: [number, number, number]; hu: number }[];
}

export const EXPECTED = JSON.parse(
  readFileSync(new URL('./fixtures/expected-dicom.json', import.meta.url), 'utf8'),
) as Record<string, Expected> & {
  raw: Record<string, { shape: number[]; sum: number; first: number[] }>;
  seg: Record<string, { frames: number; labelCounts: Record<string, number> }>;
};

export function tempDir(tag: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `perifat-io-${tag}-`));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Expect a promise (or function) to fail with a PerifatError of `code` whose message matches `re`. */
export async function expectCode(
  p: Promise<unknown> | (() => unknown),
  code: PerifatErrorCode,
  re?: RegExp,
): Promise<PerifatError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(PerifatError);
  const pe = err as PerifatError;
  expect(pe.code, pe.message).toBe(code);
  if (re) expect(pe.message).toMatch(re);
  return pe;
}

/** Read a DICOM file with dcmjs, let `edit` change its elements (tag → element), write it to `dst`. */
export function patchDicom(src: string, dst: string, edit: (dict: DcmjsDict) => void): void {
  const b = readFileSync(src);
  const dd = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  edit(dd.dict);
  writeFileSync(dst, new Uint8Array(dd.write()));
}

/** HU at voxel (i, j, k). */
export function huAt(v: { dims: readonly number[]; hu: ArrayLike<number> }, i: number, j: number, k: number): number {
  return v.hu[i + (v.dims[0] as number) * (j + (v.dims[1] as number) * k)] as number;
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}
