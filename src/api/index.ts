/**
 * perifat for web apps (the package's browser entry): read a scan from bytes, measure EAT and
 * pericoronary FAI on WebGPU (or the CPU), get the `perifat-report/1` that `perifat measure`
 * writes. No Node built-ins; the WGSL is inlined.
 *
 *   const engine = await createEngine({ device });          // or {} to let perifat pick
 *   const ct = await readCt(files);                          // DICOM series / NIfTI, by content
 *   const report = await engine.measure({ ct, pericardium: await readMask(mask, ct),
 *                                         vessels: await readVessels(json) }, { onProgress, signal });
 *   // or derive the centerlines: { ct, coronaryMask: await readMask(coronary, ct), aorta }
 *   const derived = await engine.centerlines({ ct, coronaryMask });   // named RCA / LAD / LCx
 */
export { createEngine } from './engine';
export type { CenterlinesRequest, Engine, EngineOptions, MeasureCallOptions, MeasureRequest } from './engine';
export type { CenterlineWarning, DerivedCenterlines } from '../centerlines/types';
export type { CenterlinesRecord } from '../centerlines/derive';
export { vesselsDocument } from '../centerlines/derive';
export { parseTraceSpec, type TraceRequest } from '../centerlines/trace-spec';
export { vesselsVtp } from '../io/vessels-vtp-write';
export { REQUIRED_LIMITS } from './limits';
export { readCt, readMask, readVessels, encodeNifti, setCodecWasm } from '../io/index';
export type { CodecName, CodecWasmSource } from '../io/index';
export type { BytesInput, InputFile, LoadCtOptions, LoadLabelsOptions, LoadVesselsOptions } from '../io/index';
export { shellMaskFiles } from '../io/mask-outputs';
export { encodeNiftiFile } from '../io/mask-files';
export { reportCsv } from '../io/report-csv';
export { dicomExport, type DicomExportRequest } from './dicom';
export type { DicomOutputs } from '../io/dicom-outputs';
export type { DicomSource, DicomSliceRef } from '../volume/dicom-source';
export { PerifatError } from '../errors';
export type { PerifatErrorCode } from '../errors';
export type { MeasureOptions } from '../measure/options';
export type { MeasureProgress, MeasureStage } from '../measure/control';
export type { MeasureLayers } from '../measure/measure';
export type { Report, VesselReport, LesionReport, EatReport, BackendInfo } from '../measure/report-types';
export type { CtVolume, LabelVolume } from '../volume/volume';
export type { VesselSet, Vessel, Lesion } from '../volume/vessels';
export { makePhantom } from '../phantom/generate';
export type { Phantom, PhantomOptions } from '../phantom/types';
export { createWorkerEngine, type DetailedResult, type WorkerEngine } from './worker-client';
export { maskFiles } from '../io/mask-files';
export { eatMask } from '../measure/eat-mask';
export {
  centerlineLayer,
  fatWindowLayer,
  huHistogram,
  lesionVoiLayer,
  ringDistanceLayer,
  voiLayer,
} from '../measure/display-layers';
export { DEFAULT_OPTIONS } from '../measure/options';
