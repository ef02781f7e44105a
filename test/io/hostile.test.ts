/**
 * Hostile input, each case built here from a few lines (no stored multi-GB file): a typed error
 * naming the input, within seconds and without allocating what the file claims.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, deflateSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PerifatError } from '../../src/errors';
import { encodeNifti } from '../../src/io';
import { loadCt, loadVessels } from '../../src/platform/node/load';
import { IDENTITY3 } from '../../src/volume/geometry';
import { data, tempDir } from './helpers';

/** Typed error with `code` (and a message matching `re`), in under 10 s, RSS growing < 1 GB. */
async function expectRefused(work: () => Promise<unknown>, code: string, re?: RegExp): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let err: unknown = null;
  try {
    await work();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  expect(err, 'should be refused').toBeInstanceOf(PerifatError);
  expect((err as PerifatError).code, (err as PerifatError).message).toBe(code);
  if (re) expect((err as PerifatError).message).toMatch(re);
  expect(ms).toBeLessThan(10_000);
  expect(process.memoryUsage().rss - rss0).toBeLessThan(1024 ** 3);
}

function smallNifti(): Uint8Array {
  return encodeNifti({
    dims: [16, 16, 16],
    spacing: [1, 1, 1],
    origin: [0, 0, 0],
    direction: IDENTITY3,
    hu: new Int16Array(4096).fill(-100),
    kvp: null,
    source: 'small',
  });
}

/** One gzip member of `mib` MiB of zeros (a few KiB); members concatenate into one stream. */
const zerosMember = (mib: number): Uint8Array => gzipSync(new Uint8Array(mib * 1024 * 1024), { level: 9 });

describe('hostile NIfTI', () => {
  it('a valid 16³ NIfTI followed by 4 GiB of zeros, gzipped (4 MB): refused, not inflated', async () => {
    const t = tempDir('bomb');
    try {
      const member = zerosMember(64);
      const parts = [gzipSync(smallNifti()), ...Array.from({ length: 64 }, () => member)];
      const p = join(t.dir, 'bomb.nii.gz');
      writeFileSync(p, Buffer.concat(parts));
      await expectRefused(() => loadCt(p), 'E_TOO_LARGE', /inflates past/);
    } finally {
      t.done();
    }
  });

  it('a gzip size field that says 400 B while the stream holds 16 GiB: never trusted', async () => {
    const t = tempDir('liar');
    try {
      // The stream's last member says (in its ISIZE trailer, what a reader may be tempted to
      // trust) that everything inflates to 400 bytes.
      const last = zerosMember(64);
      new DataView(last.buffer, last.byteOffset, last.byteLength).setUint32(last.byteLength - 4, 400, true);
      const member = zerosMember(64);
      const p = join(t.dir, 'liar.nii.gz');
      writeFileSync(p, Buffer.concat([gzipSync(smallNifti()), ...Array.from({ length: 255 }, () => member), last]));
      await expectRefused(() => loadCt(p), 'E_TOO_LARGE');
    } finally {
      t.done();
    }
  });

  it('a header declaring 1024×1024×1000 int32: refused from the header alone', async () => {
    const t = tempDir('claim');
    try {
      const b = smallNifti().slice(0, 352);
      const dv = new DataView(b.buffer);
      [3, 1024, 1024, 1000].forEach((d, i) => dv.setInt16(40 + 2 * i, d, true));
      dv.setInt16(70, 8, true); // int32
      dv.setInt16(72, 32, true);
      const p = join(t.dir, 'claim.nii.gz');
      writeFileSync(p, gzipSync(b));
      await expectRefused(() => loadCt(p), 'E_TOO_LARGE', /header declares/);
    } finally {
      t.done();
    }
  });

  it('vox_offset NaN: refused, not read from byte 0', async () => {
    const t = tempDir('nan');
    try {
      const b = smallNifti();
      new DataView(b.buffer).setFloat32(108, Number.NaN, true);
      const p = join(t.dir, 'nan.nii');
      writeFileSync(p, b);
      await expectRefused(() => loadCt(p), 'E_INPUT_FORMAT', /vox_offset/);
    } finally {
      t.done();
    }
  });
});

describe('hostile DICOM and VTK', () => {
  it('a deflated DICOM with 4 GB of zeros (a few MB): refused at the inflate limit', async () => {
    const t = tempDir('dfl');
    try {
      // Preamble, file meta with the deflated transfer syntax, then a raw deflate stream of zeros:
      // 64 MiB compressed once with a sync flush (no final bit), repeated, then a final empty block.
      const ts = '1.2.840.10008.1.2.1.99\0';
      const meta: number[] = [];
      const el = (group: number, elem: number, vr: string, value: Uint8Array) => {
        const h = new Uint8Array(8);
        const dv = new DataView(h.buffer);
        dv.setUint16(0, group, true);
        dv.setUint16(2, elem, true);
        h[4] = vr.charCodeAt(0);
        h[5] = vr.charCodeAt(1);
        dv.setUint16(6, value.length, true);
        meta.push(...h, ...value);
      };
      el(0x0002, 0x0010, 'UI', new TextEncoder().encode(ts));
      const chunk = deflateRawSync(new Uint8Array(64 * 1024 * 1024), {
        level: 9,
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      });
      const parts = [new Uint8Array(128), new TextEncoder().encode('DICM'), Uint8Array.from(meta)];
      for (let i = 0; i < 64; i++) parts.push(chunk);
      parts.push(Uint8Array.from([0x03, 0x00]));
      const p = join(t.dir, 'deflated.dcm');
      writeFileSync(p, Buffer.concat(parts));
      await expectRefused(() => loadCt(p), 'E_TOO_LARGE', /inflates past/);
    } finally {
      t.done();
    }
  });

  it('a .vtp with one zlib block of 1 GiB zeros (1 MB): refused by its declared size', async () => {
    const t = tempDir('vtpbomb');
    try {
      const block = deflateSync(new Uint8Array(1024 * 1024 * 1024), { level: 9 });
      const head = new Uint32Array([1, 1024 * 1024 * 1024, 1024 * 1024 * 1024, block.length]);
      const xml =
        '<?xml version="1.0"?><VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt32" compressor="vtkZLibDataCompressor">' +
        '<PolyData><Piece NumberOfPoints="2" NumberOfLines="1"><Points><DataArray type="Float32" NumberOfComponents="3" format="appended" offset="0"/></Points>' +
        '</Piece></PolyData><AppendedData encoding="raw">_';
      const p = join(t.dir, 'bomb.vtp');
      writeFileSync(
        p,
        Buffer.concat([Buffer.from(xml), Buffer.from(head.buffer), block, Buffer.from('</AppendedData></VTKFile>')]),
      );
      await expectRefused(() => loadVessels(p), 'E_TOO_LARGE', /declares/);
    } finally {
      t.done();
    }
  });
});

describe('only regular files', () => {
  it('a CT path that is a symlink to /dev/zero, or a FIFO: refused by name, at once', async () => {
    const t = tempDir('special');
    try {
      const zero = join(t.dir, 'ct.nii');
      symlinkSync('/dev/zero', zero);
      await expectRefused(() => loadCt(zero), 'E_INPUT_FORMAT', /not a regular file/);
      const fifo = join(t.dir, 'fifo.nii');
      execFileSync('mkfifo', [fifo]);
      await expectRefused(() => loadCt(fifo), 'E_INPUT_FORMAT', /not a regular file/);
    } finally {
      t.done();
    }
  });

  it('slices that are symlinks are followed, never dropped', async () => {
    const t = tempDir('links');
    try {
      const src = data('real-ct/tcia-a0001-philips-5mm');
      const names = readdirSync(src)
        .filter((n) => n.endsWith('.dcm'))
        .sort();
      const dir = join(t.dir, 'series');
      cpSync(src, dir, { recursive: true });
      // The first and last four slices become symlinks to files outside the folder.
      for (const n of [...names.slice(0, 4), ...names.slice(-4)]) {
        const target = join(t.dir, `real-${n}`);
        renameSync(join(dir, n), target);
        symlinkSync(target, join(dir, n));
      }
      const ct = await loadCt(dir);
      expect(ct.dims[2]).toBe(names.length);
    } finally {
      t.done();
    }
  });
});

describe('hostile structure', () => {
  it('a DICOM with 50,000 nested undefined-length sequence items (2.3 MB): refused at once', async () => {
    const t = tempDir('nest');
    try {
      const meta: number[] = [];
      const ts = new TextEncoder().encode('1.2.840.10008.1.2.1\0');
      meta.push(0x02, 0x00, 0x10, 0x00, 0x55, 0x49, ts.length, 0, ...ts);
      const open = [
        0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff,
        0xff,
      ];
      const close = [0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
      const n = 50_000;
      const body = new Uint8Array(n * (open.length + close.length));
      for (let i = 0; i < n; i++) body.set(open, i * open.length);
      for (let i = 0; i < n; i++) body.set(close, n * open.length + i * close.length);
      const p = join(t.dir, 'nested.dcm');
      writeFileSync(p, Buffer.concat([new Uint8Array(128), Buffer.from('DICM'), Uint8Array.from(meta), body]));
      await expectRefused(() => loadCt(p), 'E_INPUT_FORMAT', /nested deeper/);
    } finally {
      t.done();
    }
  });
});
