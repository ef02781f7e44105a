/**
 * Load-time benchmark of the CT readers: `npx tsx bench/load.ts`.
 *
 * Cases: the 64-slice Philips series from shared/data, and a synthetic 512×512×600 series
 * (explicit VR little endian, written to a temp folder by the minimal DICOM writer below and
 * deleted afterwards). Each load runs in a fresh child process so its peak RSS (maxRSS) is
 * its own; the volume itself is 2 bytes per voxel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCt } from '../src/platform/node/load';
import { concatBytes } from '../src/util/bytes';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Result {
  ms: number;
  baseRssMiB: number;
  maxRssMiB: number;
  rssAfterMiB: number;
  volumeMiB: number;
  dims: number[];
}

async function child(path: string): Promise<void> {
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const v = await loadCt(path);
  const ms = performance.now() - t0;
  const r: Result = {
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    rssAfterMiB: process.memoryUsage().rss / 2 ** 20,
    baseRssMiB: base / 2 ** 20,
    volumeMiB: v.hu.byteLength / 2 ** 20,
    dims: [...v.dims],
  };
  process.stdout.write(JSON.stringify(r));
}

// ------------------------------------------------------------ minimal DICOM writer

function element(group: number, elem: number, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR'].includes(vr);
  let v = value;
  if (v.length % 2) v = Uint8Array.from([...v, vr === 'UI' || vr === 'OB' ? 0 : 0x20]);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, group, true);
  dv.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, v.length, true);
  else dv.setUint16(6, v.length, true);
  const out = new Uint8Array(head.length + v.length);
  out.set(head);
  out.set(v, head.length);
  return out;
}
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const us = (n: number): Uint8Array => new Uint8Array(new Uint16Array([n]).buffer);
const ul = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/** One CT slice: 512×512, 12 bits stored, intercept −1024, a sphere phantom so slices differ. */
function slice(k: number, n: number, series: string): Uint8Array {
  const sop = `${series}.${k + 1}`;
  const metaBody = concatBytes([
    element(0x0002, 0x0001, 'OB', Uint8Array.from([0, 1])),
    element(0x0002, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.2')),
    element(0x0002, 0x0003, 'UI', text(sop)),
    element(0x0002, 0x0010, 'UI', text('1.2.840.10008.1.2.1')),
  ]);
  const px = new Uint16Array(n * n);
  const c = n / 2;
  const z = (k - 300) * 0.8;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const r = Math.hypot((i - c) * 0.7, (j - c) * 0.7, z);
      px[i + n * j] = r < 150 ? 1024 - 100 + ((i * 7 + j * 3 + k) % 200) : 24;
    }
  }
  return concatBytes([
    new Uint8Array(128),
    text('DICM'),
    element(0x0002, 0x0000, 'UL', ul(metaBody.length)),
    metaBody,
    element(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.2')),
    element(0x0008, 0x0018, 'UI', text(sop)),
    element(0x0008, 0x0060, 'CS', text('CT')),
    element(0x0018, 0x0050, 'DS', text('0.8')),
    element(0x0018, 0x0060, 'DS', text('120')),
    element(0x0020, 0x000e, 'UI', text(series)),
    element(0x0020, 0x0013, 'IS', text(String(n - k))),
    element(0x0020, 0x0032, 'DS', text(`-180\\-180\\${(k * 0.8).toFixed(1)}`)),
    element(0x0020, 0x0037, 'DS', text('1\\0\\0\\0\\1\\0')),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(n)),
    element(0x0028, 0x0011, 'US', us(n)),
    element(0x0028, 0x0030, 'DS', text('0.7\\0.7')),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x0028, 0x1052, 'DS', text('-1024')),
    element(0x0028, 0x1053, 'DS', text('1')),
    element(0x7fe0, 0x0010, 'OW', new Uint8Array(px.buffer)),
  ]);
}

function measure(path: string): Result {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', path], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Result;
}

function report(name: string, r: Result): void {
  const mvox = ((r.dims[0] as number) * (r.dims[1] as number) * (r.dims[2] as number)) / 1e6;
  console.log(
    `${name.padEnd(34)} ${r.dims.join('×').padEnd(12)} ${r.ms.toFixed(0).padStart(6)} ms  ${(mvox / (r.ms / 1000)).toFixed(1).padStart(6)} Mvox/s  peak RSS ${r.maxRssMiB.toFixed(0).padStart(5)} MiB (before load ${r.baseRssMiB.toFixed(0)} MiB; volume ${r.volumeMiB.toFixed(0)} MiB)`,
  );
}

async function main(): Promise<void> {
  const philips = join(ROOT, '..', 'shared', 'data', 'real-ct', 'tcia-a0001-philips-5mm');
  report('Philips 64 slices (implicit VR)', measure(philips));
  const dir = mkdtempSync(join(tmpdir(), 'perifat-bench-'));
  try {
    const n = 512;
    const slices = 600;
    const t0 = performance.now();
    for (let k = 0; k < slices; k++)
      writeFileSync(
        join(dir, `IM${String((k * 7919) % slices).padStart(4, '0')}-${k}`),
        slice(k, n, '1.2.826.0.1.3680043.9.7777.1'),
      );
    console.log(`(wrote ${slices} synthetic slices in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    report('synthetic 512×512×600 (explicit VR)', measure(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as string);
else await main();
