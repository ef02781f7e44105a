/**
 * A perifat report → a Comprehensive 3D SR holding a TID 1500 Measurement Report: language,
 * device observer, procedure, the image library of the source series, and one TID 1411 volumetric
 * measurement group per region — EAT, each vessel's pericoronary VOI, each lesion's VOI — that
 * references its segment of the SEG written in the same run and the source series. Values are in
 * UCUM units; a null value is left out rather than written as a number. Cut-off flags are
 * qualitative evaluations with their cut-off and source.
 */
import type { EatReport, Flag, LesionReport, Report, VesselReport } from '../measure/report-types';
import type { DicomSource } from '../volume/dicom-source';
import { PERIFAT_VERSION } from '../version';
import { CODES, PRIVATE_SCHEME_ITEM, vesselCode } from './dicom-codes';
import { codeValue, container, imageRef, numeric, segmentRef, text, uidRef } from './dicom-sr-items';
import {
  COMPREHENSIVE_3D_SR_STORAGE,
  type Code,
  type Dataset,
  IMPLEMENTATION_UID,
  SEG_STORAGE,
  codeItem,
  dateTime,
  equipmentModule,
  newUid,
  part10Bytes,
  withType2,
} from './dicom-write';

/** The SEG the SR's measurement groups point at. */
export interface SegReference {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  /** Segment number of EAT (null without one), of each vessel's VOI and each lesion's VOI, in report order. */
  readonly eat: number | null;
  readonly vessels: readonly number[];
  readonly lesions: readonly number[];
  /** The study modules the SEG carries (the SR carries the same, so both file with one study). */
  readonly patientStudy: Dataset;
}

export interface EncodedSr {
  readonly bytes: Uint8Array;
  readonly sopInstanceUid: string;
}

export interface SrOptions {
  readonly at?: Date;
  readonly seriesNumber?: number;
}

export function encodeSr(
  report: Report,
  source: DicomSource | null,
  seg: SegReference,
  voxelMl: number,
  opts: SrOptions = {},
): EncodedSr {
  const at = opts.at ?? new Date();
  const { date, time } = dateTime(at);
  const sopUid = newUid();
  const sourceSeries = source?.seriesInstanceUid ?? null;
  const groups: Dataset[] = [];
  if (report.eat && seg.eat !== null) groups.push(eatGroup(report.eat, seg, seg.eat, sourceSeries));
  report.vessels.forEach((v, i) => groups.push(vesselGroup(v, seg, seg.vessels[i] as number, sourceSeries, voxelMl)));
  report.lesions.forEach((l, i) => groups.push(lesionGroup(l, seg, seg.lesions[i] as number, sourceSeries)));

  const content: Dataset[] = [
    codeValue('HAS CONCEPT MOD', CODES.language, CODES.english),
    codeValue('HAS OBS CONTEXT', CODES.observerType, CODES.device),
    uidRef('HAS OBS CONTEXT', CODES.deviceUid, IMPLEMENTATION_UID),
    text('HAS OBS CONTEXT', CODES.deviceName, `perifat ${PERIFAT_VERSION}`),
    text('HAS OBS CONTEXT', CODES.deviceManufacturer, 'perifat'),
    codeValue('HAS CONCEPT MOD', CODES.procedureReported, CODES.ctProcedure),
    container('CONTAINS', CODES.imageLibrary, imageLibrary(source)),
    container('CONTAINS', CODES.imagingMeasurements, groups),
  ];

  const evidence: Dataset[] = [
    {
      SeriesInstanceUID: seg.seriesInstanceUid,
      ReferencedSOPSequence: [{ ReferencedSOPClassUID: SEG_STORAGE, ReferencedSOPInstanceUID: seg.sopInstanceUid }],
    },
  ];
  if (source)
    evidence.push({
      SeriesInstanceUID: source.seriesInstanceUid,
      ReferencedSOPSequence: uniqueInstances(source).map((uid) => ({
        ReferencedSOPClassUID: source.sopClassUid,
        ReferencedSOPInstanceUID: uid,
      })),
    });

  const dataset: Dataset = {
    ...withType2(seg.patientStudy),
    SOPClassUID: COMPREHENSIVE_3D_SR_STORAGE,
    SOPInstanceUID: sopUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    TimezoneOffsetFromUTC: '+0000',
    CodingSchemeIdentificationSequence: [PRIVATE_SCHEME_ITEM],
    ...equipmentModule(),
    Modality: 'SR',
    SeriesInstanceUID: newUid(),
    SeriesNumber: String(opts.seriesNumber ?? 902),
    SeriesDescription: 'perifat measurements',
    SeriesDate: date,
    SeriesTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    InstanceNumber: '1',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      { StudyInstanceUID: seg.studyInstanceUid, ReferencedSeriesSequence: evidence },
    ],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(CODES.measurementReport)],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: content,
  };
  return { bytes: part10Bytes(dataset), sopInstanceUid: sopUid };
}

function uniqueInstances(source: DicomSource): string[] {
  return [...new Set(source.slices.map((s) => s.sopInstanceUid))];
}

/** TID 1600: one group with every source image (empty for a standalone object). */
function imageLibrary(source: DicomSource | null): Dataset[] {
  if (!source) return [];
  const seen = new Set<string>();
  const images: Dataset[] = [];
  for (const s of source.slices) {
    const key = `${s.sopInstanceUid}/${s.frameNumber ?? 0}`;
    if (seen.has(key)) continue;
    seen.add(key);
    images.push(imageRef('CONTAINS', null, source.sopClassUid, s.sopInstanceUid, s.frameNumber));
  }
  return [container('CONTAINS', { value: '126200', scheme: 'DCM', meaning: 'Image Library Group' }, images)];
}

/** The rows every TID 1411 group starts with: tracking, finding, its segment, the source series. */
function groupHead(
  label: string,
  finding: Code,
  site: Code | null,
  seg: SegReference,
  segment: number,
  sourceSeries: string | null,
): Dataset[] {
  const rows = [
    text('CONTAINS', CODES.trackingId, label),
    uidRef('CONTAINS', CODES.trackingUid, newUid()),
    codeValue('CONTAINS', CODES.finding, finding),
    segmentRef('CONTAINS', CODES.referencedSegment, SEG_STORAGE, seg.sopInstanceUid, segment),
  ];
  if (sourceSeries) rows.push(uidRef('CONTAINS', CODES.sourceSeries, sourceSeries));
  if (site) rows.push(codeValue('HAS CONCEPT MOD', CODES.findingSite, site));
  return rows;
}

/** A NUM row when the value is known (the report's null stays absent). */
function num(concept: Code, value: number | null, unit: Code, derivation?: Code): Dataset[] {
  if (value === null || !Number.isFinite(value)) return [];
  const mods = derivation ? [codeValue('HAS CONCEPT MOD', CODES.derivation, derivation)] : [];
  return [numeric('CONTAINS', concept, value, unit, mods)];
}

function hu(value: number | null, derivation: Code): Dataset[] {
  return num(CODES.attenuation, value, CODES.hu, derivation);
}

function eatGroup(eat: EatReport, seg: SegReference, segment: number, sourceSeries: string | null): Dataset {
  return container('CONTAINS', CODES.measurementGroup, [
    ...groupHead('EAT', CODES.adiposeTissue, CODES.heart, seg, segment, sourceSeries),
    ...num(CODES.volume, eat.volumeMl, CODES.ml),
    ...hu(eat.meanHu, CODES.mean),
    ...hu(eat.sdHu, CODES.sd),
    ...hu(eat.medianHu, CODES.median),
    ...num(CODES.eatMean120, eat.meanHu120, CODES.hu, CODES.mean),
  ]);
}

function vesselGroup(
  v: VesselReport,
  seg: SegReference,
  segment: number,
  sourceSeries: string | null,
  voxelMl: number,
): Dataset {
  return container('CONTAINS', CODES.measurementGroup, [
    ...groupHead(`${v.name} pericoronary VOI`, CODES.adiposeTissue, vesselCode(v.name), seg, segment, sourceSeries),
    ...num(CODES.fai, v.faiHu, CODES.hu, CODES.mean),
    ...num(CODES.fai120, v.faiHu120, CODES.hu, CODES.mean),
    ...hu(v.sdHu, CODES.sd),
    ...hu(v.medianHu, CODES.median),
    ...num(CODES.volume, v.voiVoxels * voxelMl, CODES.ml),
    ...num(CODES.fatVolume, v.fatVolumeMl, CODES.ml),
    ...num(CODES.segmentStart, v.segmentMm[0], CODES.mm),
    ...num(CODES.segmentEnd, v.segmentMm[1], CODES.mm),
    ...num(CODES.vpci, v.vpci, CODES.percent),
    ...num(CODES.nearHu, v.nearHu, CODES.hu, CODES.mean),
    ...num(CODES.remoteHu, v.remoteHu, CODES.hu, CODES.mean),
    ...flags(v.flags),
  ]);
}

function lesionGroup(l: LesionReport, seg: SegReference, segment: number, sourceSeries: string | null): Dataset {
  const label = `${l.vessel} lesion ${l.startMm}-${l.endMm} mm`;
  return container('CONTAINS', CODES.measurementGroup, [
    ...groupHead(label, CODES.adiposeTissue, vesselCode(l.vessel), seg, segment, sourceSeries),
    ...num(CODES.fai, l.faiHu, CODES.hu, CODES.mean),
    ...num(CODES.fai120, l.faiHu120, CODES.hu, CODES.mean),
    ...num(CODES.lesionStart, l.startMm, CODES.mm),
    ...num(CODES.lesionEnd, l.endMm, CODES.mm),
    ...flags(l.flags),
  ]);
}

/** Each raised flag: present, with the value it was raised on, its cut-off and where that comes from. */
function flags(list: readonly Flag[]): Dataset[] {
  return list.map((f) =>
    codeValue('CONTAINS', { value: f.id, scheme: '99PERIFAT', meaning: f.id }, CODES.present, [
      numeric('HAS PROPERTIES', CODES.cutoff, f.threshold, CODES.hu),
      numeric('HAS PROPERTIES', CODES.fai, f.value, CODES.hu),
      text('HAS PROPERTIES', CODES.cutoffSource, f.source),
    ]),
  );
}
