/**
 * Writes a CT volume as a classic DICOM CT series: one file per slice, explicit VR little endian,
 * signed 16-bit pixels stored as HU + 1024 (RescaleIntercept −1024, so readers must apply the
 * rescale), fresh UIDs, and no patient identifiers (PatientName/PatientID 'PHANTOM').
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import dcmjs from 'dcmjs';
import type { CtVolume } from '../../volume/volume';
import { voxelToWorld } from '../../volume/geometry';
import { writeDirAtomic } from '../../util/atomic-write';

/**
 * The part of dcmjs's writer used here. dcmjs ships no types and src/io/dcmjs.d.ts declares only
 * its reader, so the writer is described locally and reached through an `unknown` cast.
 */
interface DcmjsWriter {
  DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
  DicomMetaDictionary: {
    denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown>;
    uid(): string;
  };
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_UID = '2.25.232704230517290571478812460117012337331';
const INTERCEPT = -1024;

export interface DicomSeriesOptions {
  seriesDescription?: string;
  /** Attributes that differ for slice k (hostile series: mixed KVP, a second frame of reference). */
  sliceAttributes?: (k: number) => Record<string, unknown>;
}

/** Writes `dir` atomically (a complete new folder replaces any old one). Returns the file count. */
export async function writeDicomSeries(ct: CtVolume, dir: string, opts: DicomSeriesOptions = {}): Promise<number> {
  const w = (dcmjs as unknown as { data: DcmjsWriter }).data;
  const [nx, ny, nz] = ct.dims;
  const d = ct.direction;
  const uid = (): string => w.DicomMetaDictionary.uid();
  const study = uid();
  const series = uid();
  const frame = uid();
  // Row direction = voxel axis i, column direction = axis j (DICOM IOP), slice k at world(0,0,k).
  const iop = [d[0], d[3], d[6], d[1], d[4], d[7]].map(ds);
  const slice = new Int16Array(nx * ny);
  await writeDirAtomic(dir, async (tmp) => {
    for (let k = 0; k < nz; k++) {
      for (let m = 0; m < nx * ny; m++) {
        const hu = ct.hu[m + nx * ny * k] as number;
        if (!Number.isInteger(hu) || hu - INTERCEPT > 32767 || hu - INTERCEPT < -32768)
          throw new RangeError(`DICOM writer: HU ${hu} cannot be stored as int16 with intercept ${INTERCEPT}`);
        slice[m] = hu - INTERCEPT;
      }
      const sop = uid();
      const pos = voxelToWorld(ct, [0, 0, k]);
      const dataset: Record<string, unknown> = {
        SpecificCharacterSet: 'ISO_IR 100',
        ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        SOPClassUID: CT_IMAGE_STORAGE,
        SOPInstanceUID: sop,
        StudyInstanceUID: study,
        SeriesInstanceUID: series,
        FrameOfReferenceUID: frame,
        Modality: 'CT',
        Manufacturer: 'perifat phantom',
        PatientName: 'PHANTOM',
        PatientID: 'PHANTOM',
        StudyDescription: 'perifat synthetic cardiac CT',
        SeriesDescription: opts.seriesDescription ?? 'phantom',
        SeriesNumber: '1',
        InstanceNumber: String(k + 1),
        KVP: ct.kvp === null ? undefined : ds(ct.kvp),
        SliceThickness: ds(ct.spacing[2]),
        SpacingBetweenSlices: ds(ct.spacing[2]),
        ImagePositionPatient: pos.map(ds),
        ImageOrientationPatient: iop,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: ny,
        Columns: nx,
        PixelSpacing: [ds(ct.spacing[1]), ds(ct.spacing[0])], // row spacing (between rows = j), column spacing (i)
        BitsAllocated: 16,
        BitsStored: 16,
        HighBit: 15,
        PixelRepresentation: 1,
        WindowCenter: '40',
        WindowWidth: '400',
        RescaleIntercept: ds(INTERCEPT),
        RescaleSlope: '1',
        RescaleType: 'HU',
        PixelData: [slice.slice().buffer],
        _vrMap: { PixelData: 'OW' },
      };
      Object.assign(dataset, opts.sliceAttributes?.(k) ?? {});
      if (dataset['KVP'] === undefined) delete dataset['KVP'];
      const meta = {
        FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
        MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
        MediaStorageSOPInstanceUID: sop,
        TransferSyntaxUID: EXPLICIT_VR_LE,
        ImplementationClassUID: IMPLEMENTATION_UID,
        ImplementationVersionName: 'perifat',
      };
      const dict = new w.DicomDict(w.DicomMetaDictionary.denaturalizeDataset(meta));
      dict.dict = w.DicomMetaDictionary.denaturalizeDataset(dataset);
      await writeFile(join(tmp, `slice-${String(k + 1).padStart(4, '0')}.dcm`), new Uint8Array(dict.write()));
    }
  });
  return nz;
}

/** A DICOM decimal string (VR DS, at most 16 characters) for a number. */
function ds(x: number): string {
  if (Object.is(x, -0)) x = 0;
  for (let p = 16; p > 0; p--) {
    const s = String(Number(x.toPrecision(p)));
    if (s.length <= 16) return s;
  }
  throw new RangeError(`cannot write ${x} as a DICOM DS`);
}
