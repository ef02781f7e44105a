/**
 * What a DICOM CT series says about where it belongs, kept beside the volume so that DICOM outputs
 * (SEG, SR) can reference it and be filed with the study: the UIDs, each slice's instance in slice
 * order, and the patient and study attributes. It holds identifiers, so nothing of it goes into a
 * report, a CSV or a log; only the DICOM writers read it.
 */
export interface DicomSliceRef {
  /** SOP Instance UID of the image the slice k comes from. */
  readonly sopInstanceUid: string;
  /** Its frame number (1-based) in a multi-frame image, null for a single-frame image. */
  readonly frameNumber: number | null;
}

export interface DicomSource {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly sopClassUid: string;
  /** One entry per slice k of the volume, in the volume's slice order. */
  readonly slices: readonly DicomSliceRef[];
  /**
   * The Patient and General Study module attributes as read (dcmjs naturalized values by keyword:
   * PatientName, PatientID, StudyDate, AccessionNumber …), copied into the outputs unchanged.
   */
  readonly patientStudy: Readonly<Record<string, unknown>>;
}
