/**
 * Plausible mistakes never become plausible numbers: each is a report warning, and under --strict
 * an E_INPUT_IMPLAUSIBLE error (exit 3). Centerlines off the lumen or listed distal to ostium, an
 * empty pericardium, axial limits outside the CT, a multi-label pericardium without --label,
 * sform/qform disagreement, negative pixdim, mixed KVP, two frames of reference; and axial limits in
 * mm are patient z on a sagittal grid too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { niftiFileBytes } from '../../src/io/nifti-write';
import { measure } from '../../src/measure/measure';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom';
import { writeDicomSeries } from '../../src/platform/node/phantom-dicom';
import { vesselsJson, writePhantom } from '../../src/platform/node/phantom-files';
import type { Vec3 } from '../../src/volume/geometry';
import type { VesselSet } from '../../src/volume/vessels';
import { runCli } from '../helpers/run-cli';

const phantom = makePhantom({ dims: [72, 72, 56], spacing: [0.7, 0.7, 0.8], seed: 4, noiseSd: 5 });
const cpu = new CpuMeasureBackend('node');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-plaus-'));
  await writePhantom(phantom, join(dir, 'p'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const P = (f: string) => join(dir, 'p', f);
const doubts = (r: Report) =>
  r.warnings.filter((w) =>
    /lumen-like|widens|holds no voxel|region is empty|outside the CT|disagree|negative voxel|tube voltages|frames of reference|not axial/.test(
      w,
    ),
  );

function vesselsFile(name: string, set: VesselSet): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(vesselsJson(set)));
  return f;
}

async function measureCli(args: string[]): Promise<{ code: number; err: string; report: Report | null }> {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(['measure', '--backend', 'cpu', '--quiet', '--out', out, ...args]);
  let report: Report | null = null;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  } catch {
    report = null;
  }
  return { code: r.code, err: r.err, report };
}

const base = () => ['--ct', P('ct.nii.gz'), '--pericardium', P('pericardium.nii.gz')];

describe('centerlines that do not follow a vessel', () => {
  it('says nothing about the phantom’s own centerlines', async () => {
    const r = await measureCli([...base(), '--vessels', P('vessels.json')]);
    expect(r.code).toBe(0);
    expect(doubts(r.report as Report)).toEqual([]);
  });

  it('warns when a centerline runs 5 mm off the lumen, and refuses it under --strict', async () => {
    const shift: Vec3 = [5, 0, 0];
    const set: VesselSet = {
      ...phantom.vessels,
      vessels: phantom.vessels.vessels.map((v) =>
        v.name === 'RCA'
          ? { ...v, points: v.points.map((p) => p.map((x, a) => x + (shift[a] as number)) as unknown as Vec3) }
          : v,
      ),
    };
    const f = vesselsFile('shifted.json', set);
    const r = await measureCli([...base(), '--vessels', f]);
    expect(r.code).toBe(0);
    const d = doubts(r.report as Report);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^RCA: only \d+% of its centerline points have lumen-like HU/);
    const strict = await measureCli([...base(), '--vessels', f, '--strict']);
    expect(strict.code).toBe(3);
    expect(strict.err).toMatch(/E_INPUT_IMPLAUSIBLE: .*shifted\.json: RCA: only/);
    expect(strict.report).toBeNull();
  });

  it('warns when a centerline is listed distal to ostium', async () => {
    const set: VesselSet = {
      ...phantom.vessels,
      vessels: phantom.vessels.vessels.map((v) =>
        v.name === 'LAD' ? { ...v, points: [...v.points].reverse(), radii: [...v.radii].reverse() } : v,
      ),
    };
    const r = await measureCli([...base(), '--vessels', vesselsFile('reversed.json', set)]);
    expect(doubts(r.report as Report)).toEqual([expect.stringMatching(/^LAD: the centerline widens along its length/)]);
  });
});

describe('empty or mis-scaled regions', () => {
  it('warns on an all-zero pericardium and on axial limits outside the CT', async () => {
    const empty = join(dir, 'empty.nii.gz');
    writeFileSync(
      empty,
      niftiFileBytes({ ...phantom.pericardium, labels: new Uint8Array(phantom.pericardium.labels.length) }, empty),
    );
    const a = await measureCli(['--ct', P('ct.nii.gz'), '--pericardium', empty]);
    expect(a.code).toBe(0);
    expect(doubts(a.report as Report)).toEqual([expect.stringMatching(/pericardium mask holds no voxel/)]);
    expect((await measureCli(['--ct', P('ct.nii.gz'), '--pericardium', empty, '--strict'])).code).toBe(3);

    const b = await measureCli([...base(), '--axial-slices', '100:200']);
    expect(doubts(b.report as Report)).toEqual([
      expect.stringMatching(/slices 100–200 lie outside the CT's slices 0–55/),
      expect.stringMatching(/no pericardium voxel lies inside the axial limits/),
    ]);
  });

  it('takes --axial-mm as patient z on a sagittal grid: the same EAT as the axial grid', async () => {
    const ct = phantom.ct;
    const [nx, ny, nz] = ct.dims;
    // The same voxels stored with k along x (sagittal slices): voxel (i, j, k) → (k', j, i') with
    // axes permuted so that the new k axis is the old i axis.
    const permute = <T extends Int16Array | Uint8Array>(a: T): T => {
      const out = new (a.constructor as new (n: number) => T)(a.length);
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) out[k + nz * (j + ny * i)] = a[i + nx * (j + ny * k)] as number;
      return out;
    };
    const d = ct.direction;
    const geometry = {
      dims: [nz, ny, nx] as Vec3,
      spacing: [ct.spacing[2], ct.spacing[1], ct.spacing[0]] as Vec3,
      origin: ct.origin,
      direction: [d[2], d[1], d[0], d[5], d[4], d[3], d[8], d[7], d[6]] as unknown as typeof d,
    };
    const sagittal = { ...ct, ...geometry, hu: permute(ct.hu) };
    const sagPeri = { ...phantom.pericardium, ...geometry, labels: permute(phantom.pericardium.labels) };
    const z0 = ct.origin[2] + 0.8 * 15;
    const options = { axialLimits: { unit: 'mm' as const, from: z0, to: z0 + 0.8 * 20 } };
    const axial = await measure({ ct, pericardium: phantom.pericardium, vessels: null }, cpu, options);
    const sag = await measure({ ct: sagittal, pericardium: sagPeri, vessels: null }, cpu, options);
    expect(axial.eat?.fatVoxels).toBeGreaterThan(0);
    expect(axial.eat?.fatVoxels).toBeLessThan(
      (await measure({ ct, pericardium: phantom.pericardium, vessels: null }, cpu)).eat?.fatVoxels as number,
    );
    expect(sag.eat).toEqual(axial.eat);
    // Slice numbers on that grid are not heights: said.
    const bySlice = await measure({ ct: sagittal, pericardium: sagPeri, vessels: null }, cpu, {
      axialLimits: { unit: 'slice', from: 10, to: 30 },
    });
    expect(doubts(bySlice)).toEqual([expect.stringMatching(/k slices are not axial \(slice normal left–right/)]);
  });
});

describe('ambiguous inputs', () => {
  it('refuses a multi-label pericardium without --label and measures label N with it', async () => {
    const labels = phantom.pericardium.labels.map((l, n) => (l ? 3 : n % 97 === 0 ? 7 : 0));
    const multi = join(dir, 'multi.nii.gz');
    writeFileSync(multi, niftiFileBytes({ ...phantom.pericardium, labels }, multi));
    const refused = await measureCli(['--ct', P('ct.nii.gz'), '--pericardium', multi]);
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(
      /multi\.nii\.gz: holds 2 labels \(3, 7\): a multi-label map; name the pericardium's label \(--label N\)/,
    );
    const three = await measureCli(['--ct', P('ct.nii.gz'), '--pericardium', multi, '--label', '3']);
    const binary = await measureCli(base());
    expect(three.report?.eat).toEqual(binary.report?.eat);
  });

  it('warns when sform and qform disagree, and on negative pixdim', async () => {
    const bytes = niftiFileBytes(phantom.ct, 'ct.nii');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const qx = join(dir, 'qform-off.nii');
    dv.setFloat32(268, dv.getFloat32(268, true) + 3, true); // qoffset_x 3 mm from the sform
    writeFileSync(qx, bytes);
    const a = await measureCli(['--ct', qx, '--pericardium', P('pericardium.nii.gz')]);
    expect(doubts(a.report as Report)).toEqual([expect.stringMatching(/sform and qform disagree \(by up to 3\.00 mm/)]);

    const neg = niftiFileBytes(phantom.ct, 'ct.nii');
    const nv = new DataView(neg.buffer, neg.byteOffset, neg.byteLength);
    nv.setInt16(254, 0, true); // no sform: the qform and pixdim decide
    nv.setFloat32(80, -nv.getFloat32(80, true), true); // pixdim[1] < 0
    const nf = join(dir, 'negative-pixdim.nii');
    writeFileSync(nf, neg);
    const b = await measureCli(['--ct', nf, '--pericardium', P('pericardium.nii.gz')]);
    expect(doubts(b.report as Report)).toEqual([
      expect.stringMatching(/negative voxel size in pixdim \(-0\.7, 0\.7, 0\.8\)/),
    ]);
    expect((await measureCli(['--ct', nf, '--pericardium', P('pericardium.nii.gz'), '--strict'])).code).toBe(3);
  });

  it('warns on mixed KVP and on two frames of reference in one DICOM series', async () => {
    const series = join(dir, 'dicom-mixed');
    await writeDicomSeries({ ...phantom.ct, kvp: 120 }, series, {
      sliceAttributes: (k) => (k >= 40 ? { KVP: '100', FrameOfReferenceUID: '1.2.826.0.1.3680043.2.1125.77' } : {}),
    });
    const r = await measureCli(['--ct', series, '--pericardium', P('pericardium.nii.gz')]);
    expect(r.code).toBe(0);
    expect(doubts(r.report as Report)).toEqual([
      expect.stringMatching(/taken at 2 tube voltages \(120, 100 kVp\)/),
      expect.stringMatching(/name 2 frames of reference/),
    ]);
    // The user's --kvp settles the voltage; the frames stay a doubt.
    const k = await measureCli(['--ct', series, '--pericardium', P('pericardium.nii.gz'), '--kvp', '120']);
    expect(doubts(k.report as Report)).toEqual([expect.stringMatching(/frames of reference/)]);
  }, 60_000);
});
