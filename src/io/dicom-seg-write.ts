/**
 * Masks on a CT grid → one DICOM Segmentation (BINARY, PS3.3 A.51). Each segment keeps its own
 * frames, so segments may overlap (a VOI voxel that is also EAT stays in both). Only slices where a
 * segment has a voxel get a frame (an empty segment gets one empty frame), each frame names its
 * plane position and, for a DICOM source, the slice it was derived from. Pixel data is 1 bit per
 * pixel packed across frame boundaries (PS3.5 8.1.1), the one encoding validators accept.
 */
import { voxelToWorld, type Geometry } from '../volume/geometry';
import type { DicomSource } from '../volume/dicom-source';
import { PERIFAT_VERSION } from '../version';
import { CODES } from './dicom-codes';
import { cielab } from './dicom-color';
import {
  type Code,
  type Dataset,
  SEG_STORAGE,
  codeItem,
  dateTime,
  decimalString,
  equipmentModule,
  newUid,
  part10Bytes,
  patientStudyModules,
  withType2,
} from './dicom-write';

export interface SegSegment {
  /** Short label shown by viewers ("EAT", "RCA VOI"). */
  readonly label: string;
  readonly description: string;
  readonly category: Code;
  readonly type: Code;
  /** Where in the body (a coronary artery, the heart), when known. */
  readonly region: Code | null;
  /** Display colour, sRGB 0–255. */
  readonly rgb: readonly [number, number, number];
  /** One byte per voxel of the grid (i fastest); non-zero = in the segment. Made when encoded. */
  readonly mask: () => Uint8Array;
}

export interface EncodedSeg {
  readonly bytes: Uint8Array;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  /** Segment numbers, 1-based, in the order of the segments given. */
  readonly segmentNumbers: readonly number[];
  /** The patient and study modules written (an SR of the same run carries the same). */
  readonly patientStudy: Dataset;
}

// Attribute tags as AT values (group << 16 | element), for the dimension index.
const TAG_SEGMENT_IDENTIFICATION = 0x0062000a;
const TAG_REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const TAG_PLANE_POSITION = 0x00209113;
const TAG_IMAGE_POSITION = 0x00200032;

export interface SegOptions {
  readonly at?: Date;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
}

/**
 * The SEG of `segments` on `grid`. `source` is the CT's DICOM series (null: a standalone object
 * with a new study and frame of reference, for a CT that was not DICOM).
 */
export function encodeSeg(
  grid: Geometry,
  source: DicomSource | null,
  segments: readonly SegSegment[],
  opts: SegOptions = {},
): EncodedSeg {
  const [nx, ny, nz] = grid.dims;
  const slice = nx * ny;
  if (source && source.slices.length !== nz)
    throw new RangeError(`SEG: the source series has ${source.slices.length} slices, the grid ${nz}`);
  const at = opts.at ?? new Date();
  const { date, time } = dateTime(at);
  const patientStudy = withType2(patientStudyModules(source, at));
  const studyUid = patientStudy['StudyInstanceUID'] as string;
  const frameOfReference = source?.frameOfReferenceUid ?? newUid();
  const seriesUid = newUid();
  const sopUid = newUid();

  // The frames: per segment, the slices where it has a voxel (one empty frame for an empty segment).
  // One segment's mask at a time: each frame is packed on its own (an eighth of its bytes), so the
  // full-grid masks never coexist.
  const frames: { segment: number; k: number }[] = [];
  const packed: Uint8Array[] = [];
  segments.forEach((s, n) => {
    const mask = s.mask();
    if (mask.length !== slice * nz) throw new RangeError(`SEG: mask of ${s.label} is not on the grid`);
    let any = false;
    for (let k = 0; k < nz; k++) {
      const m = mask.subarray(k * slice, (k + 1) * slice);
      if (m.some((v) => v !== 0)) {
        frames.push({ segment: n + 1, k });
        packed.push(packBits(m));
        any = true;
      }
    }
    if (!any) {
      frames.push({ segment: n + 1, k: 0 });
      packed.push(new Uint8Array(Math.ceil(slice / 8)));
    }
  });
  const pixels = new Uint8Array(Math.ceil((frames.length * slice) / 8 / 2) * 2);
  packed.forEach((bits, fi) => {
    // Frames follow each other bit by bit: byte-aligned only when a frame has a multiple of 8 pixels.
    if (slice % 8 === 0) pixels.set(bits, (fi * slice) / 8);
    else
      for (let i = 0; i < slice; i++) {
        if ((((bits[i >> 3] as number) >> (i & 7)) & 1) === 0) continue;
        const b = fi * slice + i;
        pixels[b >> 3] = (pixels[b >> 3] as number) | (1 << (b & 7));
      }
  });
  // Position index: rank of the slice among the slices that have a frame (1-based).
  const ks = [...new Set(frames.map((f) => f.k))].sort((a, b) => a - b);
  const rank = new Map(ks.map((k, i) => [k, i + 1]));

  const d = grid.direction;
  const iop = [d[0], d[3], d[6], d[1], d[4], d[7]].map(decimalString);
  const dimensionOrg = newUid();
  const perFrame = frames.map((f) => {
    const item: Dataset = {
      FrameContentSequence: [{ DimensionIndexValues: [f.segment, rank.get(f.k) as number] }],
      PlanePositionSequence: [{ ImagePositionPatient: voxelToWorld(grid, [0, 0, f.k]).map(decimalString) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
    };
    if (source) {
      const ref = source.slices[f.k] as DicomSource['slices'][number];
      item['DerivationImageSequence'] = [
        {
          SourceImageSequence: [
            {
              ReferencedSOPClassUID: source.sopClassUid,
              ReferencedSOPInstanceUID: ref.sopInstanceUid,
              ...(ref.frameNumber !== null ? { ReferencedFrameNumber: ref.frameNumber } : {}),
              PurposeOfReferenceCodeSequence: [
                codeItem({ value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' }),
              ],
            },
          ],
          DerivationCodeSequence: [codeItem({ value: '113076', scheme: 'DCM', meaning: 'Segmentation' })],
        },
      ];
    }
    return item;
  });

  const dataset: Dataset = {
    ...patientStudy,
    SOPClassUID: SEG_STORAGE,
    SOPInstanceUID: sopUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    TimezoneOffsetFromUTC: '+0000',
    ...equipmentModule(),
    Modality: 'SEG',
    SeriesInstanceUID: seriesUid,
    SeriesNumber: String(opts.seriesNumber ?? 901),
    SeriesDescription: opts.seriesDescription ?? 'perifat EAT and pericoronary VOIs',
    SeriesDate: date,
    SeriesTime: time,
    FrameOfReferenceUID: frameOfReference,
    PositionReferenceIndicator: '',
    InstanceNumber: '1',
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'PERIFAT',
    ContentDescription: `perifat ${PERIFAT_VERSION} segmentation`,
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentSequence: segments.map((s, n) => segmentItem(s, n + 1)),
    DimensionOrganizationType: '3D',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrg }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrg,
        DimensionIndexPointer: TAG_REFERENCED_SEGMENT_NUMBER,
        FunctionalGroupPointer: TAG_SEGMENT_IDENTIFICATION,
        DimensionDescriptionLabel: 'Segment Number',
      },
      {
        DimensionOrganizationUID: dimensionOrg,
        DimensionIndexPointer: TAG_IMAGE_POSITION,
        FunctionalGroupPointer: TAG_PLANE_POSITION,
        DimensionDescriptionLabel: 'Image Position Patient',
      },
    ],
    NumberOfFrames: String(frames.length),
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [
          {
            PixelSpacing: [decimalString(grid.spacing[1]), decimalString(grid.spacing[0])],
            SliceThickness: decimalString(grid.spacing[2]),
            SpacingBetweenSlices: decimalString(grid.spacing[2]),
          },
        ],
        PlaneOrientationSequence: [{ ImageOrientationPatient: iop }],
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  if (source) {
    // Common Instance Reference: every source image a frame was derived from, once.
    const seen = new Set<string>();
    const refs: Dataset[] = [];
    for (const k of ks) {
      const uid = (source.slices[k] as DicomSource['slices'][number]).sopInstanceUid;
      if (seen.has(uid)) continue;
      seen.add(uid);
      refs.push({ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: uid });
    }
    dataset['ReferencedSeriesSequence'] = [
      { SeriesInstanceUID: source.seriesInstanceUid, ReferencedInstanceSequence: refs },
    ];
  }
  return {
    bytes: part10Bytes(dataset),
    sopInstanceUid: sopUid,
    seriesInstanceUid: seriesUid,
    studyInstanceUid: studyUid,
    frameOfReferenceUid: frameOfReference,
    segmentNumbers: segments.map((_, n) => n + 1),
    patientStudy,
  };
}

/** Pixel i of a frame → bit (i & 7) of byte i >> 3 (PS3.5 8.1.1: first pixel in the lowest bit). */
function packBits(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(m.length / 8));
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

function segmentItem(s: SegSegment, n: number): Dataset {
  const item: Dataset = {
    SegmentNumber: n,
    SegmentLabel: s.label,
    SegmentDescription: s.description,
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: `perifat ${PERIFAT_VERSION}`,
    SegmentationAlgorithmIdentificationSequence: [
      {
        AlgorithmFamilyCodeSequence: [codeItem(CODES.morphological)],
        AlgorithmName: 'perifat',
        AlgorithmVersion: PERIFAT_VERSION,
      },
    ],
    SegmentedPropertyCategoryCodeSequence: [codeItem(s.category)],
    SegmentedPropertyTypeCodeSequence: [codeItem(s.type)],
    RecommendedDisplayCIELabValue: cielab(s.rgb),
  };
  if (s.region) item['AnatomicRegionSequence'] = [codeItem(s.region)];
  return item;
}
