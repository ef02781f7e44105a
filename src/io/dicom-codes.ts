/**
 * The coded entries perifat's SEG and SR use. Standard codes from DICOM PS3.16 context groups
 * (SCT = SNOMED CT, DCM = DICOM, UCUM units, LN = LOINC); the CID each comes from is noted. Concepts
 * no standard codes (FAI at 120 kVp, VPCI, the segment interval, the cut-off flags) are in perifat's
 * private scheme 99PERIFAT, declared in each SR's Coding Scheme Identification Sequence.
 */
import type { Code } from './dicom-write';

const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });
const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const ucum = (value: string, meaning: string): Code => ({ value, scheme: 'UCUM', meaning });
export const PRIVATE_SCHEME = '99PERIFAT';
const own = (value: string, meaning: string): Code => ({ value, scheme: PRIVATE_SCHEME, meaning });

export const CODES = {
  // CID 7150 Segmentation Property Category, CID 7166 Common Tissue Segmentation Type
  tissue: sct('85756007', 'Tissue'),
  adiposeTissue: sct('55603005', 'Adipose tissue'),
  // CID 4031 Common Anatomic Regions (heart)
  heart: sct('80891009', 'Heart'),
  // CID 7162 (segmentation algorithm family): thresholds and distance regions
  morphological: dcm('123104', 'Morphological Operations'),
  // TID 1500 / 1411 / 1419 concepts
  measurementReport: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  english: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' },
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceUid: dcm('121012', 'Device Observer UID'),
  deviceName: dcm('121013', 'Device Observer Name'),
  deviceManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  procedureReported: dcm('121058', 'Procedure reported'),
  // CID 100 Quantitative Diagnostic Imaging Procedure
  ctProcedure: { value: '25045-6', scheme: 'LN', meaning: 'CT unspecified body region' },
  imageLibrary: dcm('111028', 'Image Library'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingId: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  sourceSeries: dcm('121232', 'Source series for segmentation'),
  // CID 7469 Generic Intensity and Size Measurements, CID 7464 ROI measurement modifiers
  volume: sct('118565006', 'Volume'),
  attenuation: dcm('112031', 'Attenuation Coefficient'),
  derivation: dcm('121401', 'Derivation'),
  mean: sct('373098007', 'Mean'),
  sd: sct('386136009', 'Standard Deviation'),
  median: sct('373099004', 'Median'),
  qualitative: { value: 'C0034375', scheme: 'UMLS', meaning: 'Qualitative Evaluations' },
  present: sct('52101004', 'Present'),
  // UCUM units
  ml: ucum('ml', 'milliliter'),
  mm: ucum('mm', 'millimeter'),
  hu: ucum("[hnsf'U]", 'Hounsfield unit'),
  percent: ucum('%', 'percent'),
  voxels: ucum('{voxels}', 'voxels'),
  // perifat's own concepts
  fai: own('FAI', 'Fat attenuation index'),
  fai120: own('FAI120', 'Fat attenuation index at 120 kVp'),
  eatMean120: own('EATMEAN120', 'Mean attenuation at 120 kVp'),
  vpci: own('VPCI', 'Volumetric perivascular characterisation index'),
  nearHu: own('NEAR', 'Mean attenuation of fat within 0-1 mm of the wall'),
  remoteHu: own('REMOTE', 'Mean attenuation of remote fat'),
  voiVolume: own('VOIVOL', 'Pericoronary VOI volume'),
  fatVolume: own('FATVOL', 'Fat volume in VOI'),
  segmentStart: own('SEGSTART', 'Segment start from ostium'),
  segmentEnd: own('SEGEND', 'Segment end from ostium'),
  lesionStart: own('LESSTART', 'Lesion start from ostium'),
  lesionEnd: own('LESEND', 'Lesion end from ostium'),
  cutoff: own('CUTOFF', 'Cut-off'),
  cutoffSource: own('CUTOFFSRC', 'Source of cut-off'),
  pericoronaryVoi: own('PCVOI', 'Pericoronary region'),
  epicardialFat: own('EAT', 'Epicardial adipose tissue'),
} as const;

/**
 * Coronary arteries by the names perifat's vessel sets use (CID 3016 Major Coronary Artery; aorta
 * from CID 4031). A vessel of another name (a branch such as LAD-b1) gets no anatomic code.
 */
export const VESSEL_CODES: Readonly<Record<string, Code>> = {
  RCA: sct('13647002', 'Right coronary artery'),
  LAD: sct('59438005', 'Anterior descending branch of left coronary artery'),
  LCX: sct('57396003', 'Circumflex branch of left coronary artery'),
  LM: sct('3227004', 'Left main coronary artery'),
  LMCA: sct('3227004', 'Left main coronary artery'),
  LCA: sct('50018008', 'Left coronary artery'),
  AORTA: sct('15825003', 'Aorta'),
};

export function vesselCode(name: string): Code | null {
  return VESSEL_CODES[name.toUpperCase()] ?? null;
}

/** The private coding scheme, for the SOP Common module's Coding Scheme Identification Sequence. */
export const PRIVATE_SCHEME_ITEM = {
  CodingSchemeDesignator: PRIVATE_SCHEME,
  CodingSchemeName: 'perifat concepts',
  CodingSchemeResponsibleOrganization: 'perifat',
};
