/**
 * The volume model: CT in HU and masks/labelmaps, each with its grid geometry.
 */
import type { DicomSource } from './dicom-source';
import type { Geometry } from './geometry';

/** A CT volume in Hounsfield units (after rescale). Voxel order: i fastest, then j, then k. */
export interface CtVolume extends Geometry {
  /** HU per voxel. int16 when every HU is an integer in [-32768, 32767] (the usual case). */
  readonly hu: Int16Array | Float32Array;
  /** Tube voltage in kVp (DICOM KVP), null when unknown. */
  readonly kvp: number | null;
  /** Where it came from (path or name), for reports and error messages. */
  readonly source: string;
  /** Non-identifying acquisition facts (modality, manufacturer, model, transfer syntax …). */
  readonly meta?: Readonly<Record<string, string | number | null>>;
  /** What its reader found ambiguous (sform against qform, two frames of reference …): warnings. */
  readonly doubts?: readonly string[];
  /** The slices disagree on the tube voltage: a warning unless the user gives the kVp. */
  readonly kvpDoubt?: string;
  /** A DICOM input's UIDs, slice instances and patient/study attributes (identifiers: never reported). */
  readonly dicom?: DicomSource;
  /** What reading noticed without refusing (files of a folder skipped): carried into the report. */
  readonly warnings?: readonly string[];
}

/** A labelmap (0 = background/ignore) on its own grid. A binary mask is a labelmap with labels {0, 1}. */
export interface LabelVolume extends Geometry {
  readonly labels: Uint8Array;
  readonly source: string;
  /** Set when the labels were resampled onto this grid from another one: what, for the report. */
  readonly resampled?: string;
  /** What its reader found ambiguous: plausibility warnings. */
  readonly doubts?: readonly string[];
}

/** Whether every HU of a float volume is an integer in int16 range (so it can be stored exactly as int16). */
export function isIntegralInt16(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isInteger(v) || v < -32768 || v > 32767) return false;
  }
  return true;
}

/** int16 copy of a float volume whose values are all integral int16 (check with isIntegralInt16). */
export function toInt16(data: Float32Array): Int16Array {
  const out = new Int16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] as number;
  return out;
}
