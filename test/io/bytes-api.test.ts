/**
 * The bytes readers a page or worker uses (readCt / readMask / readVessels) give exactly what the
 * path loaders give: NIfTI told from DICOM by content, a DICOM series as Blobs in any order.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCt, readMask, readVessels } from '../../src/io';
import { loadCt, loadLabels, loadVessels } from '../../src/platform/node/load';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { PerifatError } from '../../src/errors';
import { data, tempDir } from './helpers';

const buf = (p: string): ArrayBuffer => {
  const b = readFileSync(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

describe('bytes readers = path loaders', () => {
  it('a DICOM series as shuffled Blobs with their names, and the same files as one array of buffers', async () => {
    const dir = data('real-ct/tcia-a0001-philips-5mm');
    const names = readdirSync(dir).filter((n) => n.endsWith('.dcm'));
    // Every other slice, then the rest backwards: nothing like the slice order.
    const shuffled = [...names.filter((_, i) => i % 2 === 0), ...names.filter((_, i) => i % 2 === 1).reverse()];
    const fromPath = await loadCt(dir);
    const blobs = shuffled.map((n) => new File([buf(join(dir, n))], n));
    const fromBlobs = await readCt(blobs);
    expect(fromBlobs.dims).toEqual(fromPath.dims);
    expect(fromBlobs.origin).toEqual(fromPath.origin);
    expect(fromBlobs.spacing).toEqual(fromPath.spacing);
    expect(
      Buffer.compare(
        Buffer.from(fromBlobs.hu.buffer, fromBlobs.hu.byteOffset, fromBlobs.hu.byteLength),
        Buffer.from(fromPath.hu.buffer, fromPath.hu.byteOffset, fromPath.hu.byteLength),
      ),
    ).toBe(0);
    const fromBuffers = await readCt(shuffled.map((n) => buf(join(dir, n))));
    expect(fromBuffers.dims).toEqual(fromPath.dims);
  });

  it('NIfTI by content (any name), a mask onto the CT grid, centerlines from text or bytes', async () => {
    const t = tempDir('bytes-api');
    try {
      const files = await writePhantom(makePhantom({ dims: [48, 48, 32], spacing: [0.7, 0.7, 1] }), t.dir);
      const ctPath = await loadCt(files.ct);
      const ct = await readCt(new Blob([buf(files.ct)]), { name: 'scan.bin' });
      expect(ct.dims).toEqual(ctPath.dims);
      expect(ct.source).toBe('scan.bin');
      expect(Array.from(ct.hu.subarray(0, 5000))).toEqual(Array.from(ctPath.hu.subarray(0, 5000)));
      const mask = await readMask(buf(files.pericardium), ct);
      expect(Array.from(mask.labels)).toEqual(
        Array.from((await loadLabels(files.pericardium, { onto: ctPath })).labels),
      );
      const text = readFileSync(files.vessels, 'utf8');
      const vPath = await loadVessels(files.vessels);
      expect((await readVessels(text)).vessels).toEqual(vPath.vessels);
      expect((await readVessels(new TextEncoder().encode(text))).vessels).toEqual(vPath.vessels);
      // Not a CT: a typed error naming the input.
      const err = await readCt(new Uint8Array(600).fill(7), { name: 'junk' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PerifatError);
      expect((err as PerifatError).code).toBe('E_INPUT_FORMAT');
      expect((err as PerifatError).message).toMatch(/^junk: /);
    } finally {
      t.done();
    }
  });
});
