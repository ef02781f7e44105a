/**
 * The checks every written SEG and SR goes through (API, CLI, batch, page): the SR says what the
 * report says, the SEG references its source and carries its patient, and perifat reads each
 * segment back to exactly the mask written.
 */
import { expect } from 'vitest';
import { loadLabels } from '../../src/api/node';
import type { Report } from '../../src/measure/report-types';
import { voxelVolumeMl, worldToVoxel, type Vec3 } from '../../src/volume/geometry';
import type { CtVolume } from '../../src/volume/volume';
import { expectedGroups } from './expected';
import { srGroups, readDataset } from './sr-read';

type Item = Record<string, unknown>;
const seq = (it: Item, key: string): Item[] => (Array.isArray(it[key]) ? (it[key] as Item[]) : []);
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** The SR says what the report says: every group, every number (exact double, DS close), units, flags. */
export function expectSrMatches(
  srPath: string,
  segSop: string,
  report: Report,
  ct: CtVolume,
  segmentOf: Map<string, number>,
): void {
  const groups = srGroups(readDataset(srPath));
  const expected = expectedGroups(report, voxelVolumeMl(ct));
  expect(groups.map((g) => g.trackingId).sort()).toEqual([...expected.keys()].sort());
  for (const g of groups) {
    const want = expected.get(g.trackingId) ?? {};
    expect(g.segment, g.trackingId).toEqual({ sop: segSop, number: segmentOf.get(g.trackingId) });
    expect(g.sourceSeries, g.trackingId).toBe(ct.dicom?.seriesInstanceUid ?? null);
    for (const [key, w] of Object.entries(want)) {
      const got = g.numbers.get(key);
      if (w.value === null) {
        expect(got, `${g.trackingId} ${key}`).toBeUndefined();
        continue;
      }
      expect(got?.value, `${g.trackingId} ${key}`).toBe(w.value);
      expect(got?.unit, `${g.trackingId} ${key}`).toBe(w.unit);
      expect(Math.abs(Number(got?.text) - w.value), `${g.trackingId} ${key} DS`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(w.value)),
      );
    }
    // Nothing beyond what the report holds.
    expect([...g.numbers.keys()].sort(), g.trackingId).toEqual(
      Object.entries(want)
        .filter(([, w]) => w.value !== null)
        .map(([k]) => k)
        .sort(),
    );
  }
  const flagsOf = (id: string) => [...(groups.find((g) => g.trackingId === id)?.flags.entries() ?? [])];
  for (const v of report.vessels)
    expect(flagsOf(`${v.name} pericoronary VOI`)).toEqual(
      v.flags.map((f) => [f.id, { cutoff: f.threshold, value: f.value, source: f.source }]),
    );
  for (const l of report.lesions)
    expect(flagsOf(`${l.vessel} lesion ${l.startMm}-${l.endMm} mm`)).toEqual(
      l.flags.map((f) => [f.id, { cutoff: f.threshold, value: f.value, source: f.source }]),
    );
}

/** The SEG names its source: study, series, frame of reference, each frame's slice; patient copied. */
export function expectSegReferences(seg: Item, ct: CtVolume): void {
  const src = ct.dicom;
  if (!src) throw new Error('the CT has no DICOM source');
  expect(seg['StudyInstanceUID']).toBe(src.studyInstanceUid);
  expect(seg['FrameOfReferenceUID']).toBe(src.frameOfReferenceUid);
  expect(seq(seg, 'ReferencedSeriesSequence')[0]?.['SeriesInstanceUID']).toBe(src.seriesInstanceUid);
  for (const k of ['PatientName', 'PatientID', 'StudyDate', 'AccessionNumber'])
    expect(JSON.stringify(seg[k] ?? ''), k).toBe(JSON.stringify(src.patientStudy[k] ?? ''));
  const frames = seq(seg, 'PerFrameFunctionalGroupsSequence');
  expect(frames.length).toBe(Number(seg['NumberOfFrames']));
  for (const fg of frames) {
    const ipp = seq(seq(fg, 'PlanePositionSequence')[0] ?? {}, 'ImagePositionPatient');
    const pos = (seq(fg, 'PlanePositionSequence')[0]?.['ImagePositionPatient'] as number[]).map(Number) as Vec3;
    expect(ipp.length === 0 || ipp.length === 3).toBe(true);
    const k = Math.round(worldToVoxel(ct, pos)[2]);
    const ref = seq(seq(fg, 'DerivationImageSequence')[0] ?? {}, 'SourceImageSequence')[0] ?? {};
    expect(ref['ReferencedSOPInstanceUID']).toBe(src.slices[k]?.sopInstanceUid);
  }
  // BINARY, bit-packed across frames: the PixelData length dciodvfy checks.
  expect(seg['BitsAllocated']).toBe(1);
  const px = first(seg['PixelData']) as ArrayBuffer;
  const bits = frames.length * Number(seg['Rows']) * Number(seg['Columns']);
  expect(px.byteLength).toBe(Math.ceil(bits / 8 / 2) * 2);
}

/** perifat reads each segment back to exactly its mask, and the labelmap to "highest segment wins". */
export async function expectRoundTrip(
  segPath: string,
  ct: CtVolume,
  masks: readonly { label: string; mask: Uint8Array | (() => Uint8Array) }[],
) {
  const top = new Uint8Array(ct.hu.length);
  for (let n = 1; n <= masks.length; n++) {
    const given = (masks[n - 1] as (typeof masks)[number]).mask;
    const mask = typeof given === 'function' ? given() : given;
    const back = await loadLabels(segPath, { onto: ct, segment: n });
    let diff = 0;
    let count = 0;
    for (let i = 0; i < mask.length; i++) {
      if ((back.labels[i] as number) !== (mask[i] !== 0 ? 1 : 0)) diff++;
      if (mask[i] !== 0) {
        count++;
        top[i] = n;
      }
    }
    expect(count, masks[n - 1]?.label).toBeGreaterThan(0);
    expect(diff, masks[n - 1]?.label).toBe(0);
  }
  const labelmap = await loadLabels(segPath, { onto: ct });
  const wrong = new Map<string, number>();
  for (let i = 0; i < top.length; i++) {
    const key = `${top[i]}→${labelmap.labels[i]}`;
    if (labelmap.labels[i] !== top[i]) wrong.set(key, (wrong.get(key) ?? 0) + 1);
  }
  expect(Object.fromEntries(wrong), 'labelmap: expected→read voxels').toEqual({});
}
