/**
 * DICOM → CtVolume: a folder (one series, classic single-frame slices), a single-frame file, or
 * an enhanced / multi-frame CT file (positions and rescale in the functional groups).
 */
import type { DicomSource } from '../volume/dicom-source';
import type { Geometry } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';
import { fail } from './errors';
import { DEFAULT_MAX_VOXELS } from './limits';
import { readDicomFile, readDicomHeader, tsName, type DicomFile } from './dicom-read';
import type { InputFile } from './input-file';
import { FrameReader, frameCount, pixelFormat, type PixelFormat } from './dicom-pixels';
import { stackGeometry, type SliceRef, type StackOptions } from './dicom-geometry';
import { has, item, items, num, nums, str, vec3, type Dataset } from './dicom-values';

export interface LoadCtOptions extends StackOptions {
  /** Which series to load when a folder holds several image series. */
  readonly seriesUid?: string;
  /** Largest volume, in voxels, that will be allocated (default 2^30). */
  readonly maxVoxels?: number;
  /** Rescale for CT slices that carry none (default: such slices are refused with E_INPUT_RESCALE). */
  readonly defaultRescale?: { readonly slope: number; readonly intercept: number };
  /** Tube voltage to use instead of the DICOM KVP tag. */
  readonly kvp?: number;
  /** Modalities accepted (default ['CT']). */
  readonly modalities?: readonly string[];
}

export { DEFAULT_MAX_VOXELS } from './limits';

/**
 * A CT from DICOM files: the slices of one series in any order (names such as a folder's listing),
 * or one file (single slice or enhanced multi-frame). `source` names the whole in errors and reports.
 */
export async function readDicomCt(
  files: readonly InputFile[],
  source: string,
  opts: LoadCtOptions = {},
): Promise<CtVolume> {
  const headers: DicomFile[] = [];
  // A file given on its own must be DICOM; in a folder, other files (notes, thumbnails) are skipped.
  const alone = files.length === 1 && (files[0] as InputFile).name === source;
  const skipped: string[] = [];
  for (const f of files) {
    const h = await readDicomHeader(f);
    if (h !== null) headers.push(h);
    else if (alone) fail('E_INPUT_FORMAT', f.name, 'not a DICOM file, not a NIfTI file');
    else skipped.push(f.name);
  }
  if (headers.length === 0) fail('E_INPUT_FORMAT', source, `holds no DICOM files (${files.length} file(s) read)`);
  const series = pickSeries(headers, source, opts);
  const byName = new Map(files.map((f) => [f.name, f]));
  const ct = await assemble(series, files.length === 1 ? (series[0] as DicomFile).path : source, opts, byName);
  return skipped.length > 0 ? { ...ct, warnings: [...(ct.warnings ?? []), skippedWarning(skipped, files.length)] } : ct;
}

/** A folder's files that are not DICOM (a JPEG, a NIfTI, notes): counted, the first few named. */
function skippedWarning(names: readonly string[], total: number): string {
  const shown = names.slice(0, 5).join(', ');
  return `${names.length} of ${total} file(s) skipped, not DICOM: ${shown}${names.length > 5 ? ', …' : ''}`;
}

/** The files of the one image series to load (error listing the series when there are several). */
function pickSeries(headers: readonly DicomFile[], source: string, opts: LoadCtOptions): DicomFile[] {
  const groups = new Map<string, DicomFile[]>();
  // Scouts sit in the folder beside the axial slices, sometimes in the same series: skip them.
  const axial = headers.filter((h) => !/LOCALIZER/i.test(str(h.ds, 'ImageType') ?? ''));
  for (const h of axial.length > 0 ? axial : headers) {
    if (!h.hasPixelData) continue;
    const uid = str(h.ds, 'SeriesInstanceUID') || '(no SeriesInstanceUID)';
    const g = groups.get(uid);
    if (g) g.push(h);
    else groups.set(uid, [h]);
  }
  if (groups.size === 0) {
    const mods = [...new Set(headers.map((h) => str(h.ds, 'Modality') || '?'))].join(', ');
    fail('E_INPUT_PIXELS', source, `no image with pixel data (modality ${mods})`);
  }
  if (opts.seriesUid !== undefined) {
    const g = groups.get(opts.seriesUid);
    if (!g) fail('E_INPUT_SERIES', source, `series ${opts.seriesUid} not found; present: ${describeSeries(groups)}`);
    return g;
  }
  if (groups.size > 1) {
    fail(
      'E_INPUT_SERIES',
      source,
      `${groups.size} image series in one folder; choose one with the seriesUid option: ${describeSeries(groups)}`,
    );
  }
  return [...groups.values()][0] as DicomFile[];
}

function describeSeries(groups: Map<string, DicomFile[]>): string {
  return [...groups.entries()]
    .map(([uid, files]) => {
      const ds = (files[0] as DicomFile).ds;
      const desc = str(ds, 'SeriesDescription');
      return `${uid} (${str(ds, 'Modality') || '?'}${desc ? `, "${desc}"` : ''}, ${files.length} file(s))`;
    })
    .join('; ');
}

function checkModality(f: DicomFile, opts: LoadCtOptions): void {
  const allowed = opts.modalities ?? ['CT'];
  const m = str(f.ds, 'Modality') || '';
  if (!allowed.includes(m))
    fail('E_INPUT_MODALITY', f.path, `modality is ${m || 'missing'}, expected ${allowed.join(' or ')}`);
  // A scout / topogram is a projection, not a slice of the volume.
  if (/LOCALIZER/i.test(str(f.ds, 'ImageType') ?? '')) {
    fail('E_INPUT_MODALITY', f.path, 'image is a localizer (scout/topogram), not a CT slice');
  }
}

/** Rescale of a slice: explicit values, else the user's default, else E_INPUT_RESCALE. */
function rescaleOf(
  groupDs: Dataset | null,
  ds: Dataset,
  path: string,
  opts: LoadCtOptions,
): { slope: number; intercept: number } {
  const src = groupDs !== null && has(groupDs, 'RescaleIntercept') ? groupDs : ds;
  const intercept = num(src, 'RescaleIntercept');
  const slope = has(src, 'RescaleSlope') ? num(src, 'RescaleSlope') : 1;
  if (has(src, 'RescaleIntercept') && intercept !== null && slope !== null && slope !== 0) return { slope, intercept };
  if (has(src, 'RescaleIntercept'))
    fail(
      'E_INPUT_RESCALE',
      path,
      `invalid rescale slope/intercept (${String(src['RescaleSlope'])}/${String(src['RescaleIntercept'])})`,
    );
  if (opts.defaultRescale) return { slope: opts.defaultRescale.slope, intercept: opts.defaultRescale.intercept };
  fail(
    'E_INPUT_RESCALE',
    path,
    'CT image without RescaleIntercept: HU cannot be known (pass defaultRescale to assume one)',
  );
}

function classicSlice(f: DicomFile, opts: LoadCtOptions): SliceRef {
  const ds = f.ds;
  const ipp = vec3(ds, 'ImagePositionPatient');
  const iop = nums(ds, 'ImageOrientationPatient', 6);
  const ps = nums(ds, 'PixelSpacing', 2);
  if (ipp === null || iop === null)
    fail(
      'E_INPUT_GEOMETRY',
      f.path,
      'image without ImagePositionPatient/ImageOrientationPatient: its position in the patient is unknown',
    );
  if (ps === null) fail('E_INPUT_GEOMETRY', f.path, 'image without PixelSpacing');
  const r = rescaleOf(null, ds, f.path, opts);
  return {
    path: f.path,
    frame: 0,
    ipp,
    iop,
    pixelSpacing: [ps[0] as number, ps[1] as number],
    slope: r.slope,
    intercept: r.intercept,
  };
}

/** Slices of an enhanced / multi-frame file from its per-frame and shared functional groups. */
function multiFrameSlices(f: DicomFile, nFrames: number, opts: LoadCtOptions): SliceRef[] {
  const ds = f.ds;
  const shared = item(ds, 'SharedFunctionalGroupsSequence');
  const perFrame = items(ds, 'PerFrameFunctionalGroupsSequence');
  if (perFrame.length !== nFrames) {
    fail(
      'E_INPUT_GEOMETRY',
      f.path,
      `multi-frame image with ${nFrames} frames has ${perFrame.length} per-frame functional groups: frame positions unknown`,
    );
  }
  const out: SliceRef[] = [];
  for (let fr = 0; fr < nFrames; fr++) {
    const fg = perFrame[fr] as Dataset;
    const group = (name: string): Dataset | null => item(fg, name) ?? (shared ? item(shared, name) : null);
    const pos = group('PlanePositionSequence');
    const ori = group('PlaneOrientationSequence');
    const meas = group('PixelMeasuresSequence');
    const ipp = pos ? vec3(pos, 'ImagePositionPatient') : null;
    const iop = (ori ? nums(ori, 'ImageOrientationPatient', 6) : null) ?? nums(ds, 'ImageOrientationPatient', 6);
    const ps = (meas ? nums(meas, 'PixelSpacing', 2) : null) ?? nums(ds, 'PixelSpacing', 2);
    if (ipp === null || iop === null || ps === null)
      fail('E_INPUT_GEOMETRY', f.path, `frame ${fr + 1} has no plane position/orientation/pixel spacing`);
    const r = rescaleOf(group('PixelValueTransformationSequence'), ds, f.path, opts);
    out.push({
      path: f.path,
      frame: fr,
      ipp,
      iop,
      pixelSpacing: [ps[0] as number, ps[1] as number],
      slope: r.slope,
      intercept: r.intercept,
    });
  }
  return out;
}

async function assemble(
  files: readonly DicomFile[],
  source: string,
  opts: LoadCtOptions,
  inputs: ReadonlyMap<string, InputFile>,
): Promise<CtVolume> {
  for (const f of files) checkModality(f, opts);
  const f0 = files[0] as DicomFile;
  const fmt = pixelFormat(f0.ds, f0.path);
  if (fmt.samples !== 1)
    fail('E_INPUT_UNSUPPORTED', f0.path, `${fmt.samples} samples per pixel (colour) is not a CT image`);
  let slices: SliceRef[];
  let singleSpacing: number | undefined;
  const nFrames0 = frameCount(f0.ds);
  if (files.length === 1 && nFrames0 > 1) {
    slices = multiFrameSlices(f0, nFrames0, opts);
    const meas = item(item(f0.ds, 'SharedFunctionalGroupsSequence') ?? {}, 'PixelMeasuresSequence');
    singleSpacing = (meas ? (num(meas, 'SpacingBetweenSlices') ?? num(meas, 'SliceThickness')) : null) ?? undefined;
  } else {
    slices = [];
    for (const f of files) {
      if (frameCount(f.ds) > 1)
        fail('E_INPUT_UNSUPPORTED', f.path, 'a series of several multi-frame files is not supported; load one file');
      const fm = pixelFormat(f.ds, f.path);
      if (fm.rows !== fmt.rows || fm.cols !== fmt.cols || fm.bitsAllocated !== fmt.bitsAllocated) {
        fail(
          'E_INPUT_SERIES',
          source,
          `mixed image sizes in one series: ${f0.path} is ${fmt.cols}×${fmt.rows}×${fmt.bitsAllocated} bit, ${f.path} is ${fm.cols}×${fm.rows}×${fm.bitsAllocated} bit`,
        );
      }
      slices.push(classicSlice(f, opts));
    }
    singleSpacing = num(f0.ds, 'SpacingBetweenSlices') ?? num(f0.ds, 'SliceThickness') ?? undefined;
  }
  const { geometry, sorted } = stackGeometry(slices, fmt.rows, fmt.cols, source, {
    ...opts,
    singleSliceSpacing: opts.singleSliceSpacing ?? singleSpacing,
  });
  const voxels = geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
  const budget = opts.maxVoxels ?? DEFAULT_MAX_VOXELS;
  if (voxels > budget)
    fail(
      'E_TOO_LARGE',
      source,
      `volume of ${geometry.dims.join('×')} = ${voxels} voxels exceeds the budget of ${budget} voxels`,
    );

  const integral = sorted.every((s) => Number.isInteger(s.slope) && Number.isInteger(s.intercept));
  const asInt16 = integral ? await decodeInto(new Int16Array(voxels), sorted, fmt, geometry, inputs) : null;
  const hu = asInt16 ?? ((await decodeInto(new Float32Array(voxels), sorted, fmt, geometry, inputs)) as Float32Array);

  const ds = f0.ds;
  const enh = multiFrameGroup(ds, 'CTXRayDetailsSequence');
  const kvp = opts.kvp ?? num(ds, 'KVP') ?? (enh ? num(enh, 'KVP') : null);
  const s0 = sorted[0] as SliceRef;
  const { doubts, kvpDoubt } = seriesDoubts(files, opts);
  const dicom = dicomSource(files, sorted);
  let pad = num(ds, 'PixelPaddingValue');
  if (pad !== null && fmt.signed && pad > 32767) pad -= 65536; // implicit VR reads the US/SS element as US
  return {
    ...geometry,
    hu,
    kvp: kvp !== null && kvp > 0 ? kvp : null,
    source,
    ...(doubts.length ? { doubts } : {}),
    ...(kvpDoubt ? { kvpDoubt } : {}),
    meta: {
      format: sorted.length > 1 && files.length === 1 ? 'dicom-multiframe' : 'dicom',
      modality: str(ds, 'Modality'),
      manufacturer: str(ds, 'Manufacturer'),
      model: str(ds, 'ManufacturerModelName'),
      seriesDescription: str(ds, 'SeriesDescription'),
      transferSyntax: f0.transferSyntax,
      transferSyntaxName: tsName(f0.transferSyntax),
      bitsAllocated: fmt.bitsAllocated,
      bitsStored: fmt.bitsStored,
      pixelRepresentation: fmt.signed ? 1 : 0,
      rescaleSlope: s0.slope,
      rescaleIntercept: s0.intercept,
      paddingValue: pad,
      paddingHu: pad !== null && s0.slope !== null && s0.intercept !== null ? pad * s0.slope + s0.intercept : null,
      sliceThickness: num(ds, 'SliceThickness'),
      convolutionKernel: str(ds, 'ConvolutionKernel'),
      files: files.length,
    },
    ...(dicom ? { dicom } : {}),
  };
}

/** What one series should agree on and does not: tube voltage, frame of reference. */
function seriesDoubts(files: readonly DicomFile[], opts: LoadCtOptions): { doubts: string[]; kvpDoubt: string | null } {
  const doubts: string[] = [];
  let kvpDoubt: string | null = null;
  const distinct = (f: (d: DicomFile) => string | number | null) => [
    ...new Set(files.map(f).filter((v) => v !== null && v !== '')),
  ];
  const kvps = distinct((f) => num(f.ds, 'KVP'));
  if (opts.kvp === undefined && kvps.length > 1) {
    kvpDoubt = `the slices were taken at ${kvps.length} tube voltages (${kvps.join(', ')} kVp): the first slice's is used for the 120 kVp values; give --kvp if another applies`;
  }
  const frames = distinct((f) => str(f.ds, 'FrameOfReferenceUID'));
  if (frames.length > 1) {
    doubts.push(
      `the slices name ${frames.length} frames of reference: their positions may not lie in one patient space (masks and centerlines are placed by position)`,
    );
  }
  return { doubts, kvpDoubt };
}

/**
 * The Patient, General Study and Patient Study module attributes a DICOM output copies so that a
 * PACS files it with its study (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2), and the character set they use.
 */
const PATIENT_STUDY_KEYS = [
  'SpecificCharacterSet',
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'IssuerOfPatientIDQualifiersSequence',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientSex',
  'OtherPatientIDsSequence',
  'PatientComments',
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'IssuerOfAccessionNumberSequence',
  'StudyDescription',
  'ProcedureCodeSequence',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
] as const;

/**
 * Where the series belongs (UIDs, the instance of every slice in slice order, patient and study),
 * for DICOM outputs; null when an identifying UID is missing (such outputs are then refused).
 */
function dicomSource(files: readonly DicomFile[], sorted: readonly SliceRef[]): DicomSource | null {
  const ds = (files[0] as DicomFile).ds;
  const byPath = new Map(files.map((f) => [f.path, f.ds]));
  const study = str(ds, 'StudyInstanceUID');
  const series = str(ds, 'SeriesInstanceUID');
  const frame = str(ds, 'FrameOfReferenceUID');
  const sopClass = str(ds, 'SOPClassUID');
  if (!study || !series || !frame || !sopClass) return null;
  const multi = files.length === 1 && sorted.length > 1;
  const slices = [];
  for (const s of sorted) {
    const sop = str(byPath.get(s.path) ?? {}, 'SOPInstanceUID');
    if (!sop) return null;
    slices.push({ sopInstanceUid: sop, frameNumber: multi ? s.frame + 1 : null });
  }
  const patientStudy: Record<string, unknown> = {};
  for (const k of PATIENT_STUDY_KEYS) if (ds[k] !== undefined) patientStudy[k] = plain(ds[k]);
  return {
    studyInstanceUid: study,
    seriesInstanceUid: series,
    frameOfReferenceUid: frame,
    sopClassUid: sopClass,
    slices,
    patientStudy,
  };
}

/**
 * A deep copy of a naturalized value without dcmjs's function-valued helpers (a person name's
 * toString/toJSON), so the volume can be posted to a worker or a page (structured clone).
 */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'function') out[k] = plain(x);
  return out;
}

function multiFrameGroup(ds: Dataset, name: string): Dataset | null {
  const shared = item(ds, 'SharedFunctionalGroupsSequence');
  const g = shared ? item(shared, name) : null;
  if (g) return g;
  const pf = item(ds, 'PerFrameFunctionalGroupsSequence');
  return pf ? item(pf, name) : null;
}

/** Decode every slice into its place along k; null if an int16 target overflowed. */
async function decodeInto<T extends Int16Array | Float32Array>(
  target: T,
  sorted: readonly SliceRef[],
  fmt: PixelFormat,
  g: Geometry,
  inputs: ReadonlyMap<string, InputFile>,
): Promise<T | null> {
  const sliceSize = g.dims[0] * g.dims[1];
  const byFile = new Map<string, { frame: number; k: number; slope: number; intercept: number }[]>();
  sorted.forEach((s, k) => {
    const list = byFile.get(s.path) ?? [];
    list.push({ frame: s.frame, k, slope: s.slope ?? 1, intercept: s.intercept ?? 0 });
    byFile.set(s.path, list);
  });
  for (const [path, list] of byFile) {
    const file = await readDicomFile(inputs.get(path) as InputFile);
    const fm = pixelFormat(file.ds, path);
    if (fm.rows !== fmt.rows || fm.cols !== fmt.cols)
      fail('E_INPUT_SERIES', path, 'image size changed between header and pixel read');
    const reader = new FrameReader(file, fm, frameCount(file.ds));
    await reader.prepare();
    for (const e of list) {
      if (!reader.writeFrame(e.frame, target, e.k * sliceSize, e.slope, e.intercept)) return null;
    }
  }
  return target;
}
