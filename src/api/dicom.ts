/**
 * The DICOM outputs of a measurement from the package: a DICOM SEG (EAT, each vessel's VOI, each
 * lesion's VOI) and a TID 1500 SR of the report, referencing the CT's DICOM series (`ct.dicom`,
 * kept by readCt/loadCt from DICOM files) and carrying its patient and study. The writer (and
 * dcmjs's) loads on first use, so a page that never exports DICOM does not download it.
 */
import type { DicomOutputRequest, DicomOutputs } from '../io/dicom-outputs';
import type { MeasureLayers } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import type { Report } from '../measure/report-types';
import type { CtVolume, LabelVolume } from '../volume/volume';

export interface DicomExportRequest extends DicomOutputRequest {
  /** The CT measured (from DICOM files, unless `standalone`). */
  readonly ct: CtVolume;
  /** The pericardial region measured (its EAT becomes segment 1), or null. */
  readonly pericardium: LabelVolume | null;
  readonly report: Report;
  /** The measurement's layers (measureDetailed with wantLayers): needed when the report has vessels. */
  readonly layers: MeasureLayers | null;
  /** The options the measurement ran with (the EAT mask follows its fat window and axial limits). */
  readonly options?: Partial<MeasureOptions>;
}

/**
 * SEG and/or SR bytes (`seg: true`, `sr: true`). A CT without DICOM UIDs is refused with
 * E_INPUT_UNSUPPORTED unless `standalone` (a new study, new UIDs, no patient).
 */
export async function dicomExport(req: DicomExportRequest): Promise<DicomOutputs> {
  const { dicomOutputs } = await import('../io/dicom-outputs');
  return dicomOutputs({ ct: req.ct, pericardium: req.pericardium }, req.options ?? {}, req.report, req.layers, req);
}
