/**
 * DICOM SEG and TID 1500 SR of a measurement (issue 23), on a DICOM phantom with three vessels and
 * a lesion (the package API) and on the bundled real DICOM series (the CLI): dciodvfy finds no
 * error (warnings only those explained in dciodvfy.ts), dcmjs parses both, perifat reads every
 * segment back to exactly the voxels written, the SEG references the source series slice by slice
 * and carries its patient and study, and the SR's numbers are the JSON report's, bit for bit.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, dicomExport, loadCt, loadLabels, type DicomOutputs } from '../../src/api/node';
import type { Report } from '../../src/measure/report-types';
import { makePhantom } from '../../src/phantom';
import { writeDicomSeries } from '../../src/platform/node/phantom-dicom';
import { PERIFAT_VERSION } from '../../src/version';
import { resampleLabelsNearest } from '../../src/volume/resample';
import type { CtVolume } from '../../src/volume/volume';
import { runCli } from '../helpers/run-cli';
import { data, tempDir } from '../io/helpers';
import { expectRoundTrip, expectSegReferences, expectSrMatches } from './checks';
import { expectValid } from './dciodvfy';
import { readDataset } from './sr-read';

type Item = Record<string, unknown>;
const seq = (it: Item, key: string): Item[] => (Array.isArray(it[key]) ? (it[key] as Item[]) : []);

describe('SEG and SR of a DICOM phantom with vessels and a lesion (package API)', () => {
  const tmp = tempDir('seg-sr-phantom');
  const segPath = join(tmp.dir, 'seg.dcm');
  const srPath = join(tmp.dir, 'sr.dcm');
  let ct: CtVolume;
  let report: Report;
  let out: DicomOutputs;

  beforeAll(async () => {
    // 100 kVp, so the 120 kVp values differ from the raw ones and both are checked.
    const ph = makePhantom({ dims: [96, 96, 64], spacing: [0.8, 0.8, 1.2], noiseSd: 5, kvp: 100 });
    await writeDicomSeries(ph.ct, join(tmp.dir, 'ct'));
    ct = await loadCt(join(tmp.dir, 'ct'));
    const pericardium = resampleLabelsNearest(ph.pericardium, ct);
    const vessels = { ...ph.vessels, lesions: [{ vessel: 'LAD', startMm: 5, endMm: 15 }] };
    const engine = await createEngine({ backend: 'cpu' });
    try {
      const r = await engine.measureDetailed({ ct, pericardium, vessels }, { wantLayers: true });
      report = r.report;
      out = await dicomExport({ ct, pericardium, report, layers: r.layers, seg: true, sr: true });
    } finally {
      engine.destroy();
    }
    writeFileSync(segPath, out.seg as Uint8Array);
    writeFileSync(srPath, out.sr as Uint8Array);
  });
  afterAll(() => tmp.done());

  it('the phantom is what the checks need: DICOM, kVp 100, three vessels with flags, a lesion', () => {
    expect(ct.dicom?.slices.length).toBe(64);
    expect(report.input.kvp).toBe(100);
    expect(report.vessels.map((v) => v.name)).toEqual(['RCA', 'LAD', 'LCx']);
    expect(report.vessels.some((v) => v.flags.length > 0)).toBe(true);
    expect(report.lesions.length).toBe(1);
    expect(out.segments.map((s) => s.label)).toEqual(['EAT', 'RCA VOI', 'LAD VOI', 'LCx VOI', 'LAD lesion 1']);
  });

  it('dciodvfy: no error in the SEG or the SR', () => {
    expectValid(segPath, 'Segmentation');
    expectValid(srPath, 'Comprehensive3DSR');
  });

  it('dcmjs parses the SEG: segments coded, algorithm named, source referenced frame by frame', () => {
    const seg = readDataset(segPath);
    expect(seg['Modality']).toBe('SEG');
    expect(seg['SegmentationType']).toBe('BINARY');
    const segments = seq(seg, 'SegmentSequence');
    const codeOf = (s: Item, key: string) => seq(s, key)[0]?.['CodeValue'];
    expect(segments.map((s) => s['SegmentLabel'])).toEqual(out.segments.map((s) => s.label));
    expect(segments.map((s) => codeOf(s, 'SegmentedPropertyTypeCodeSequence'))).toEqual(Array(5).fill('55603005'));
    expect(segments.map((s) => codeOf(s, 'SegmentedPropertyCategoryCodeSequence'))).toEqual(Array(5).fill('85756007'));
    // Heart; RCA, LAD, LCx (CID 3016); the lesion on the LAD.
    expect(segments.map((s) => codeOf(s, 'AnatomicRegionSequence'))).toEqual([
      '80891009',
      '13647002',
      '59438005',
      '57396003',
      '59438005',
    ]);
    for (const s of segments) {
      expect(s['SegmentAlgorithmType']).toBe('AUTOMATIC');
      expect(s['SegmentAlgorithmName']).toBe(`perifat ${PERIFAT_VERSION}`);
    }
    expect(seg['SoftwareVersions']).toBe(PERIFAT_VERSION);
    expectSegReferences(seg, ct);
  });

  it('perifat reads every segment back to exactly the voxels written (overlaps kept)', async () => {
    await expectRoundTrip(segPath, ct, out.segments);
  });

  it("the SR's numbers, units and flags are the report's; each group points at its segment and the series", () => {
    const sr = readDataset(srPath);
    expect(sr['StudyInstanceUID']).toBe(ct.dicom?.studyInstanceUid);
    expect(seq(sr, 'ContentTemplateSequence')[0]?.['TemplateIdentifier']).toBe('1500');
    const segSop = String(readDataset(segPath)['SOPInstanceUID']);
    const segmentOf = new Map([
      ['EAT', 1],
      ['RCA pericoronary VOI', 2],
      ['LAD pericoronary VOI', 3],
      ['LCx pericoronary VOI', 4],
      ['LAD lesion 5-15 mm', 5],
    ]);
    expectSrMatches(srPath, segSop, report, ct, segmentOf);
    // The evidence lists the SEG and the CT series.
    const evidence = seq(seq(sr, 'CurrentRequestedProcedureEvidenceSequence')[0] ?? {}, 'ReferencedSeriesSequence');
    expect(evidence.map((e) => e['SeriesInstanceUID'])).toContain(ct.dicom?.seriesInstanceUid);
  });
});

describe('perifat measure --seg-out/--sr-out on the bundled real DICOM series', () => {
  const tmp = tempDir('seg-sr-real');
  afterAll(() => tmp.done());

  it('valid SEG and SR, EAT read back to --masks-out eat.nii.gz, numbers equal the report, no identifiers in it', async () => {
    const seg = join(tmp.dir, 'out.seg.dcm');
    const sr = join(tmp.dir, 'out.sr.dcm');
    const json = join(tmp.dir, 'report.json');
    const masks = join(tmp.dir, 'masks');
    const run = await runCli([
      'measure',
      '--case',
      'cases/tcia-a0002-dicom.json',
      '--backend',
      'cpu',
      '--quiet',
      '--out',
      json,
      '--masks-out',
      masks,
      '--seg-out',
      seg,
      '--sr-out',
      sr,
    ]);
    expect(run.code, run.err).toBe(0);
    expectValid(seg, 'Segmentation');
    expectValid(sr, 'Comprehensive3DSR');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const ct = await loadCt('../shared/data/real-ct/tcia-a0002-siemens-8mm');
    expect(ct.dicom?.slices.length).toBe(30);
    // The volume crosses to workers and pages: its DICOM source must survive a structured clone.
    expect(structuredClone(ct.dicom)).toEqual(ct.dicom);
    const eat = await loadLabels(join(masks, 'eat.nii.gz'), { onto: ct });
    await expectRoundTrip(seg, ct, [{ label: 'EAT', mask: eat.labels }]);
    const segDs = readDataset(seg);
    expectSegReferences(segDs, ct);
    expectSrMatches(sr, String(segDs['SOPInstanceUID']), report, ct, new Map([['EAT', 1]]));
    // The DICOM outputs carry the patient; the JSON report does not.
    const text = readFileSync(json, 'utf8');
    const patientId = String(ct.dicom?.patientStudy['PatientID']);
    expect(patientId.length).toBeGreaterThan(0);
    for (const id of [patientId, ct.dicom?.studyInstanceUid, ct.dicom?.seriesInstanceUid])
      expect(text).not.toContain(String(id));
  });
});

describe('what a SEG/SR run needs', () => {
  const tmp = tempDir('seg-sr-needs');
  afterAll(() => tmp.done());
  const series = '../shared/data/real-ct/tcia-a0002-siemens-8mm';

  it('--sr-out alone: the SR is written and the report says its SEG was not', async () => {
    const json = join(tmp.dir, 'r.json');
    const sr = join(tmp.dir, 'sr.dcm');
    const args = ['measure', '--case', 'cases/tcia-a0002-dicom.json', '--backend', 'cpu', '--quiet'];
    const run = await runCli([...args, '--out', json, '--sr-out', sr]);
    expect(run.code, run.err).toBe(0);
    expectValid(sr, 'Comprehensive3DSR');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.warnings).toContain('the SR points at segments of a SEG that was not written: give --seg-out too');
  });

  it('nothing to segment (no pericardium, no vessels) is refused, nothing written', async () => {
    const seg = join(tmp.dir, 'seg.dcm');
    const run = await runCli(['measure', '--ct', series, '--backend', 'cpu', '--quiet', '--seg-out', seg]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('nothing to put in a DICOM SEG');
    expect(existsSync(seg)).toBe(false);
  });
});

describe('SEG and SR of an enhanced multi-frame CT (frames referenced by number)', () => {
  const tmp = tempDir('seg-sr-enhanced');
  afterAll(() => tmp.done());

  it('valid, each frame derived from its frame of the CT, read back exactly', async () => {
    const ct = await loadCt(data('dicom-syntaxes/pydicom_data/eCT_Supplemental.dcm'));
    expect(ct.dicom?.slices.map((s) => s.frameNumber).sort()).toEqual([1, 2]);
    // A window over the phantom's HU range, so its "EAT" is not empty.
    const options = { window: { lo: -1000, hi: 3000 } };
    const pericardium = { ...ct, labels: new Uint8Array(ct.hu.length).fill(1), source: 'all' };
    const engine = await createEngine({ backend: 'cpu' });
    let out: DicomOutputs;
    let report: Report;
    try {
      const r = await engine.measureDetailed({ ct, pericardium, vessels: null }, { wantLayers: true, ...options });
      report = r.report;
      out = await dicomExport({ ct, pericardium, report, layers: r.layers, options, seg: true, sr: true });
    } finally {
      engine.destroy();
    }
    const segPath = join(tmp.dir, 'seg.dcm');
    const srPath = join(tmp.dir, 'sr.dcm');
    writeFileSync(segPath, out.seg as Uint8Array);
    writeFileSync(srPath, out.sr as Uint8Array);
    expectValid(segPath, 'Segmentation');
    expectValid(srPath, 'Comprehensive3DSR');
    const seg = readDataset(segPath);
    expectSegReferences(seg, ct);
    const frames = seq(seg, 'PerFrameFunctionalGroupsSequence');
    const refFrames = frames.map(
      (fg) => seq(seq(fg, 'DerivationImageSequence')[0] ?? {}, 'SourceImageSequence')[0]?.['ReferencedFrameNumber'],
    );
    expect(refFrames.map(Number).sort()).toEqual([1, 2]);
    await expectRoundTrip(segPath, ct, out.segments);
    expectSrMatches(srPath, String(seg['SOPInstanceUID']), report, ct, new Map([['EAT', 1]]));
  });
});

describe('a CT without DICOM UIDs', () => {
  const tmp = tempDir('seg-sr-nifti');
  afterAll(() => tmp.done());

  it('NIfTI is refused with E_INPUT_UNSUPPORTED naming it, nothing written; --dicom-standalone writes valid objects', async () => {
    // 63×61 pixels a frame: frames do not start on byte boundaries in the packed pixel data.
    const ph = await runCli(['phantom', '--out', join(tmp.dir, 'ph'), '--dims', '63x61x48']);
    expect(ph.code, ph.err).toBe(0);
    const ctPath = join(tmp.dir, 'ph', 'ct.nii.gz');
    const common = ['measure', '--ct', ctPath, '--pericardium', join(tmp.dir, 'ph', 'pericardium.nii.gz')];
    const seg = join(tmp.dir, 'seg.dcm');
    const sr = join(tmp.dir, 'sr.dcm');
    const refused = await runCli([...common, '--backend', 'cpu', '--seg-out', seg, '--sr-out', sr]);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('E_INPUT_UNSUPPORTED');
    expect(refused.err).toContain(ctPath);
    expect(existsSync(seg) || existsSync(sr)).toBe(false);

    const vessels = ['--vessels', join(tmp.dir, 'ph', 'vessels.json')];
    const json = join(tmp.dir, 'report.json');
    const ok = await runCli([
      ...common,
      ...vessels,
      '--backend',
      'cpu',
      '--quiet',
      '--out',
      json,
      '--masks-out',
      join(tmp.dir, 'masks'),
      '--seg-out',
      seg,
      '--sr-out',
      sr,
      '--dicom-standalone',
    ]);
    expect(ok.code, ok.err).toBe(0);
    expectValid(seg, 'Segmentation');
    expectValid(sr, 'Comprehensive3DSR');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const segDs = readDataset(seg);
    expect(seq(segDs, 'SegmentSequence').map((s) => s['SegmentLabel'])).toEqual([
      'EAT',
      ...report.vessels.map((v) => `${v.name} VOI`),
      ...report.lesions.map((l, j) => `${l.vessel} lesion ${j + 1}`),
    ]);
    // A new study: nothing of a source to reference, no patient.
    expect(segDs['PatientID'] ?? '').toBe('');
    expect(segDs['ReferencedSeriesSequence']).toBeUndefined();
    // Unaligned frames read back exactly: EAT is the --masks-out eat.nii.gz.
    const ct = await loadCt(ctPath);
    const eat = await loadLabels(join(tmp.dir, 'masks', 'eat.nii.gz'), { onto: ct });
    const back = await loadLabels(seg, { onto: ct, segment: 1 });
    expect(Buffer.from(back.labels).equals(Buffer.from(eat.labels))).toBe(true);
    expect(eat.labels.some((v) => v !== 0)).toBe(true);
  });

  it('--dicom-standalone alone is a usage error', async () => {
    const r = await runCli(['measure', '--ct', 'x.nii.gz', '--dicom-standalone']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dicom-standalone goes with --seg-out or --sr-out');
  });
});
