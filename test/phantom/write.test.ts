/** writePhantom and the CLI: NIfTI, vessels JSON, expected report, DICOM series; atomic outputs. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { gunzipSync } from 'fflate';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { phantomCommand } from '../../src/cli/phantom-command';
import { voxelToWorld, type Mat3, type Vec3 } from '../../src/volume/geometry';

const tmp = mkdtempSync(join(tmpdir(), 'perifat-phantom-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL = { dims: [48, 40, 32] as Vec3, spacing: [1.6, 1.6, 2.4] as Vec3 };

interface DcmjsReader {
  DicomMessage: { readFile(buf: ArrayBuffer): { dict: Record<string, unknown>; meta: Record<string, unknown> } };
  DicomMetaDictionary: { naturalizeDataset(d: Record<string, unknown>): Record<string, unknown> };
}
const dcm = (dcmjs as unknown as { data: DcmjsReader }).data;

function readDicom(path: string): Record<string, unknown> {
  const b = readFileSync(path);
  const f = dcm.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return {
    ...dcm.DicomMetaDictionary.naturalizeDataset(f.dict),
    _meta: dcm.DicomMetaDictionary.naturalizeDataset(f.meta),
  };
}

/** NIfTI-1 header fields and the RAS affine from the sform. */
function readNifti(path: string) {
  const b = gunzipSync(readFileSync(path));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const srow = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => dv.getFloat32(280 + 16 * r + 4 * c, true)));
  return {
    sizeof: dv.getInt32(0, true),
    dim: [0, 1, 2, 3].map((n) => dv.getInt16(40 + 2 * n, true)),
    datatype: dv.getInt16(70, true),
    voxOffset: dv.getFloat32(108, true),
    qform: dv.getInt16(252, true),
    sform: dv.getInt16(254, true),
    magic: String.fromCharCode(b[344]!, b[345]!, b[346]!),
    srow,
    qformRows: qformRows(dv),
    bytes: b.subarray(352),
  };
}

/** The qform affine (quaternion, qfac, pixdim, offset) as 3 rows of 4, per the NIfTI-1 header docs. */
function qformRows(dv: DataView): number[][] {
  const [b, c, d] = [256, 260, 264].map((o) => dv.getFloat32(o, true)) as [number, number, number];
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = dv.getFloat32(76, true) < 0 ? -1 : 1;
  const pix = [1, 2, 3].map((n) => dv.getFloat32(76 + 4 * n, true)) as [number, number, number];
  const off = [268, 272, 276].map((o) => dv.getFloat32(o, true));
  return R.map((row, r) => [row[0]! * pix[0], row[1]! * pix[1], row[2]! * pix[2] * qfac, off[r]!]);
}

describe('writePhantom', () => {
  const c = Math.SQRT1_2;
  const dir: Mat3 = [c, -c, 0, c, c, 0, 0, 0, 1]; // 45° about z: the writers must carry the geometry
  const ph = makePhantom({ ...SMALL, direction: dir, kvp: 100, noiseSd: 5, calcium: true });
  const out = join(tmp, 'a');

  it('writes ct/pericardium/coronary NIfTI, vessels.json, expected.json and a DICOM series, nothing else', async () => {
    const files = await writePhantom(ph, out, { dicom: true });
    expect(readdirSync(out).sort()).toEqual([
      'coronary.nii.gz',
      'ct.nii.gz',
      'dicom',
      'expected.json',
      'pericardium.nii.gz',
      'vessels.json',
    ]);
    expect(files.dicom).toBe(join(out, 'dicom'));
    expect(readdirSync(join(out, 'dicom'))).toHaveLength(32);
    // a second write replaces everything in place
    await writePhantom(ph, out, { dicom: true });
    expect(readdirSync(out)).toHaveLength(6);
    expect(readdirSync(join(out, 'dicom'))).toHaveLength(32);
  });

  it('NIfTI: int16 CT and uint8 mask, voxels as in memory, RAS affine = LPS geometry flipped in x and y', () => {
    const n = readNifti(join(out, 'ct.nii.gz'));
    expect(n).toMatchObject({
      sizeof: 348,
      dim: [3, 48, 40, 32],
      datatype: 4,
      voxOffset: 352,
      qform: 1,
      sform: 1,
      magic: 'n+1',
    });
    n.qformRows.forEach((row, r) => row.forEach((x, col) => expect(x).toBeCloseTo(n.srow[r]![col]!, 4)));
    expect(Buffer.from(n.bytes).equals(Buffer.from(ph.ct.hu.buffer))).toBe(true);
    for (const ijk of [
      [0, 0, 0],
      [47, 0, 0],
      [0, 39, 31],
      [10, 20, 30],
    ] as Vec3[]) {
      const lps = voxelToWorld(ph.ct, ijk);
      const ras = n.srow.map((row) => row[0]! * ijk[0] + row[1]! * ijk[1] + row[2]! * ijk[2] + row[3]!);
      expect(ras[0]).toBeCloseTo(-lps[0], 4);
      expect(ras[1]).toBeCloseTo(-lps[1], 4);
      expect(ras[2]).toBeCloseTo(lps[2], 4);
    }
    const m = readNifti(join(out, 'pericardium.nii.gz'));
    expect(m.datatype).toBe(2);
    expect(Buffer.from(m.bytes).equals(Buffer.from(ph.pericardium.labels))).toBe(true);
  });

  it('vessels.json (perifat-vessels/1, LPS) and expected.json (the truth) round-trip exactly', () => {
    const v = JSON.parse(readFileSync(join(out, 'vessels.json'), 'utf8'));
    expect(v.schema).toBe('perifat-vessels/1');
    expect(v.space).toBe('LPS');
    expect(v.vessels.map((x: { name: string }) => x.name)).toEqual(['RCA', 'LAD', 'LCx']);
    expect(v.vessels[1].points).toEqual(ph.vessels.vessels[1]!.points);
    expect(v.vessels[1].radii).toEqual(ph.vessels.vessels[1]!.radii);
    expect(v.lesions).toEqual([{ vessel: 'LAD', start_mm: 12, end_mm: 21.5 }]);
    expect(JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8'))).toEqual(ph.truth);
  });

  it('DICOM: CT slices with geometry, rescale, kVp, fresh UIDs and no patient identifiers', () => {
    const names = readdirSync(join(out, 'dicom')).sort();
    const slices = names.map((f) => readDicom(join(out, 'dicom', f)));
    const first = slices[0]!;
    expect(first).toMatchObject({
      Modality: 'CT',
      PatientID: 'PHANTOM',
      KVP: 100,
      Rows: 40,
      Columns: 48,
      PixelSpacing: [1.6, 1.6],
      SliceThickness: 2.4,
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      BitsAllocated: 16,
      PixelRepresentation: 1,
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    });
    expect(JSON.stringify(first.PatientName)).toContain('PHANTOM');
    expect((first._meta as Record<string, unknown>).TransferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(first.PatientBirthDate).toBeUndefined();
    const iop = first.ImageOrientationPatient as number[];
    [c, c, 0, -c, c, 0].forEach((x, q) => expect(iop[q]).toBeCloseTo(x, 12));
    expect(new Set(slices.map((s) => s.SOPInstanceUID)).size).toBe(32);
    expect(new Set(slices.map((s) => s.SeriesInstanceUID)).size).toBe(1);
    slices.forEach((s, k) => {
      const ipp = s.ImagePositionPatient as number[];
      const w = voxelToWorld(ph.ct, [0, 0, k]);
      for (let a = 0; a < 3; a++) expect(ipp[a]).toBeCloseTo(w[a]!, 9);
      const px = new Int16Array((s.PixelData as ArrayBuffer[])[0]!);
      const plane = ph.ct.hu.subarray(k * 48 * 40, (k + 1) * 48 * 40);
      expect(px.every((x, m) => x - 1024 === plane[m])).toBe(true);
    });
  });
});

describe('phantomCommand', () => {
  it('writes a phantom and prints a one-line summary', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(tmp, 'cli');
    const rc = await phantomCommand([
      '--out',
      out,
      '--dims',
      '48x40x32',
      '--spacing',
      '1.6x1.6x2.4',
      '--noise',
      '5',
      '--seed',
      '2',
      '--kvp',
      '80',
      '--calcium',
      '--short-lcx',
    ]);
    expect(rc).toBe(0);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toMatch(/^phantom 48x40x32 .*80 kVp.*FAI RCA/);
    log.mockRestore();
    const report = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8'));
    expect(report.input).toMatchObject({ dims: [48, 40, 32], spacingMm: [1.6, 1.6, 2.4], kvp: 80 });
    expect(readdirSync(out).sort()).toEqual([
      'coronary.nii.gz',
      'ct.nii.gz',
      'expected.json',
      'pericardium.nii.gz',
      'vessels.json',
    ]);
  });

  it('rejects bad arguments with exit code 2', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await phantomCommand(['--dims', '48x40x32'])).toBe(2); // no --out
    expect(await phantomCommand(['--out', tmp, '--dims', '48x40'])).toBe(2);
    expect(await phantomCommand(['--out', tmp, '--spacing', '0x1x1'])).toBe(2);
    expect(await phantomCommand(['--out', tmp, '--noise', '-1'])).toBe(2);
    expect(await phantomCommand(['--out', tmp, '--bogus'])).toBe(2);
    expect(err).toHaveBeenCalledTimes(5);
    for (const call of err.mock.calls) expect(String(call[0])).toMatch(/^perifat: E_USAGE: phantom: /);
    err.mockRestore();
  });

  it('refuses a phantom too large to hold before allocating it, in the common error form', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const t0 = performance.now();
    expect(await phantomCommand(['--out', tmp, '--dims', '2000x2000x2000'])).toBe(3);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/^perifat: E_TOO_LARGE: phantom: --dims 2000x2000x2000/);
    err.mockRestore();
  });
});
