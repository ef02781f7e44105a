/**
 * The shared part of perifat's DICOM writers (SEG, SR): a naturalized dataset (attributes by
 * keyword, as dcmjs reads them) → Part 10 bytes in Explicit VR Little Endian, fresh UIDs, value
 * formats (DS, DA, TM), coded entries, and the modules every output copies from its source series.
 */
import dcmjs from 'dcmjs';
import { PERIFAT_VERSION } from '../version';
import type { DicomSource } from '../volume/dicom-source';

/**
 * The part of dcmjs's writer used here. src/io/dcmjs.d.ts declares the reader only; the writer is
 * described locally and reached through an `unknown` cast.
 */
interface DcmjsWriter {
  DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
  DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown> };
}

export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
/** perifat's implementation class UID (a 2.25 UUID-derived root, fixed). */
export const IMPLEMENTATION_UID = '2.25.232704230517290571478812460117012337331';
export const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
export const COMPREHENSIVE_3D_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.34';

export type Dataset = Record<string, unknown>;

/** A coded entry (PS3.3 Code Sequence Macro) as a sequence item. */
export interface Code {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

/** A Code Sequence item; a value longer than Code Value's 16 characters goes in Long Code Value. */
export function codeItem(c: Code): Dataset {
  const value = c.value.length > 16 ? { LongCodeValue: c.value } : { CodeValue: c.value };
  return { ...value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning.slice(0, 64) };
}

/** A UID under 2.25 (PS3.5 B.2): a random 128-bit number in decimal, fresh for every call. */
export function newUid(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString()}`;
}

/** A DICOM decimal string (VR DS, at most 16 characters) for a number. */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a DICOM DS`);
  if (Object.is(x, -0)) x = 0;
  for (let p = 16; p > 0; p--) {
    const s = String(Number(x.toPrecision(p)));
    if (s.length <= 16) return s;
  }
  throw new RangeError(`cannot write ${x} as a DICOM DS`);
}

/** DA and TM of a moment, in UTC (the writers state the offset in TimezoneOffsetFromUTC). */
export function dateTime(at: Date): { date: string; time: string } {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return {
    date: `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}`,
    time: `${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`,
  };
}

/**
 * The Patient, General Study and Patient Study modules of the source series (so a PACS files the
 * output with its study), or, for a standalone object, an anonymous patient and a new study.
 */
export function patientStudyModules(source: DicomSource | null, at: Date): Dataset {
  if (source) return { ...source.patientStudy, StudyInstanceUID: source.studyInstanceUid };
  const { date, time } = dateTime(at);
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: newUid(),
    StudyDate: date,
    StudyTime: time,
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
  };
}

/**
 * Fills the type 2 attributes of the Patient and General Study modules a source series left out
 * (present, empty), so every output validates whatever the scanner wrote.
 */
export function withType2(ds: Dataset): Dataset {
  const out = { ...ds };
  for (const k of [
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'StudyDate',
    'StudyTime',
    'ReferringPhysicianName',
    'StudyID',
    'AccessionNumber',
  ])
    if (out[k] === undefined) out[k] = '';
  return out;
}

/** General and Enhanced General Equipment: perifat names itself and its version. */
export function equipmentModule(): Dataset {
  return {
    Manufacturer: 'perifat',
    ManufacturerModelName: 'perifat',
    DeviceSerialNumber: '0',
    SoftwareVersions: PERIFAT_VERSION,
  };
}

/** The dataset as a Part 10 file (preamble, file meta, Explicit VR Little Endian). */
export function part10Bytes(dataset: Dataset): Uint8Array {
  const w = (dcmjs as unknown as { data: DcmjsWriter }).data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset['SOPClassUID'],
    MediaStorageSOPInstanceUID: dataset['SOPInstanceUID'],
    TransferSyntaxUID: EXPLICIT_VR_LE,
    ImplementationClassUID: IMPLEMENTATION_UID,
    ImplementationVersionName: `perifat${PERIFAT_VERSION}`.slice(0, 16),
  };
  const dict = new w.DicomDict(w.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = w.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}
