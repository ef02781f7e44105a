/**
 * A measurement's DICOM outputs: the SEG (EAT, each vessel's pericoronary VOI, each lesion's VOI, on
 * the CT grid) and the TID 1500 SR of the report's numbers that points at the SEG's segments. Both
 * reference the CT's DICOM series and carry its patient and study modules; a CT that was not read
 * from DICOM (NIfTI, a phantom) has no UIDs to reference and is refused unless a standalone object
 * (new study, new frame of reference, anonymous patient) is asked for.
 */
import { PerifatError } from '../errors';
import type { MeasureLayers } from '../measure/measure';
import { eatMask } from '../measure/eat-mask';
import { voiLayer } from '../measure/display-layers';
import type { MeasureOptions } from '../measure/options';
import type { Report } from '../measure/report-types';
import { uncrop } from '../volume/crop';
import { voxelVolumeMl } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { CODES, vesselCode } from './dicom-codes';
import { type SegSegment, encodeSeg } from './dicom-seg-write';
import { encodeSr } from './dicom-sr-write';
import { fail } from './errors';

export interface DicomOutputRequest {
  readonly seg?: boolean;
  readonly sr?: boolean;
  /** Allow a CT that is not DICOM: a standalone SEG/SR with new UIDs and no patient. */
  readonly standalone?: boolean;
  /** Creation time written into the objects (default now). */
  readonly at?: Date;
}

export interface DicomOutputs {
  /** The SEG file's bytes (null when not asked for). */
  readonly seg: Uint8Array | null;
  /** The SR file's bytes (null when not asked for). */
  readonly sr: Uint8Array | null;
  /**
   * The segments written, in segment-number order (1 first): label and, made on demand, the mask
   * on the CT grid (so a caller checks what was written without holding every mask at once).
   */
  readonly segments: readonly { readonly label: string; readonly mask: () => Uint8Array }[];
}

const VESSEL_RGB: Readonly<Record<string, [number, number, number]>> = {
  RCA: [230, 60, 60],
  LAD: [60, 180, 75],
  LCX: [0, 130, 200],
};
const OTHER_RGB: [number, number, number][] = [
  [145, 30, 180],
  [245, 130, 48],
  [70, 240, 240],
  [240, 50, 230],
];

/**
 * The SEG and/or SR of one measurement. `layers` are the measurement's VOI layers (measureDetailed
 * with layers); they are needed when the report has vessels. The SR always points at the SEG built
 * here, so write both to keep its references resolvable.
 */
export function dicomOutputs(
  input: { readonly ct: CtVolume; readonly pericardium: LabelVolume | null },
  options: Partial<MeasureOptions>,
  report: Report,
  layers: MeasureLayers | null,
  req: DicomOutputRequest,
): DicomOutputs {
  const { ct } = input;
  checkDicomSource(ct, req.standalone ?? false);
  const source = ct.dicom ?? null;
  if (report.vessels.length + report.lesions.length > 0 && !layers)
    throw new PerifatError('E_OPTIONS', 'a SEG of the vessels needs the measurement layers (measure with layers)');
  const segments = segmentsOf(input, options, report, layers);
  if (segments.length === 0)
    throw new PerifatError(
      'E_OPTIONS',
      'nothing to put in a DICOM SEG: the measurement has no pericardial region (EAT) and no vessels',
    );
  const at = req.at ?? new Date();
  const seg = encodeSeg(ct, source, segments, { at });
  let n = 1;
  const eat = report.eat && input.pericardium ? n++ : null;
  const vessels = report.vessels.map(() => n++);
  const lesions = report.lesions.map(() => n++);
  const sr = req.sr
    ? encodeSr(
        report,
        source,
        {
          sopInstanceUid: seg.sopInstanceUid,
          seriesInstanceUid: seg.seriesInstanceUid,
          studyInstanceUid: seg.studyInstanceUid,
          eat,
          vessels,
          lesions,
          patientStudy: seg.patientStudy,
        },
        voxelVolumeMl(ct),
        { at },
      ).bytes
    : null;
  return {
    seg: req.seg ? seg.bytes : null,
    sr,
    segments: segments.map((s) => ({ label: s.label, mask: s.mask })),
  };
}

/**
 * Refuses (E_INPUT_UNSUPPORTED, naming the CT) a CT without DICOM UIDs unless a standalone object
 * is asked for: a SEG or SR must reference the images it was derived from.
 */
export function checkDicomSource(ct: CtVolume, standalone: boolean): void {
  if (ct.dicom || standalone) return;
  fail(
    'E_INPUT_UNSUPPORTED',
    ct.source,
    'the CT is not a DICOM series (NIfTI or a phantom): a DICOM SEG or SR references the source images by their UIDs; ' +
      'measure the DICOM series, or ask for a standalone object (--dicom-standalone: new study and UIDs, no patient)',
  );
}

function segmentsOf(
  input: { readonly ct: CtVolume; readonly pericardium: LabelVolume | null },
  options: Partial<MeasureOptions>,
  report: Report,
  layers: MeasureLayers | null,
): SegSegment[] {
  const { ct } = input;
  const out: SegSegment[] = [];
  const pericardium = input.pericardium;
  if (report.eat && pericardium)
    out.push({
      label: 'EAT',
      description: 'Epicardial adipose tissue: fat-window voxels inside the pericardial region',
      category: CODES.tissue,
      type: CODES.adiposeTissue,
      region: CODES.heart,
      rgb: [255, 200, 0],
      mask: () => eatMask(ct, pericardium, options),
    });
  if (!layers) return out;
  let other = 0;
  for (const v of report.vessels) {
    const index = layers.vessels.indexOf(v.name);
    const mask = (): Uint8Array =>
      index >= 0 ? binary(voiLayer(ct.dims, layers, [index])) : new Uint8Array(ct.hu.length);
    out.push({
      label: `${v.name} VOI`,
      description: `${v.name} pericoronary VOI: 0 < distance from the wall <= vessel radius, ${v.segmentMm[0]}-${v.segmentMm[1]} mm from the ostium`,
      category: CODES.tissue,
      type: CODES.adiposeTissue,
      region: vesselCode(v.name),
      rgb: VESSEL_RGB[v.name.toUpperCase()] ?? (OTHER_RGB[other++ % OTHER_RGB.length] as [number, number, number]),
      mask,
    });
  }
  report.lesions.forEach((l, j) => {
    // Lesion j carries label j + 1 in whichever lesion layer holds it (overlapping lesions use several).
    const mask = (): Uint8Array => {
      const crop = new Uint8Array(layers.layers.lesions[0]?.length ?? 0);
      for (const layer of layers.layers.lesions)
        for (let i = 0; i < layer.length; i++) if (layer[i] === j + 1) crop[i] = 1;
      return crop.length > 0 ? uncrop(crop, layers.crop, ct.dims) : new Uint8Array(ct.hu.length);
    };
    out.push({
      label: `${l.vessel} lesion ${j + 1}`,
      description: `${l.vessel} lesion VOI, ${l.startMm}-${l.endMm} mm from the ostium`,
      category: CODES.tissue,
      type: CODES.adiposeTissue,
      region: vesselCode(l.vessel),
      rgb: [255, 255, 255],
      mask,
    });
  });
  return out;
}

function binary(labels: Uint8Array): Uint8Array {
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) labels[i] = 1;
  return labels;
}
