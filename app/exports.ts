/** Downloads of the report (JSON, CSV), the masks (NIfTI files, one download each) and DICOM SEG + SR. */
import {
  dicomExport,
  maskFiles,
  reportCsv,
  vesselsDocument,
  vesselsVtp,
  type MeasureOptions,
  type Report,
  type Vessel,
} from '../src/api/index';
import type { Shown } from './viewer';

function download(name: string, data: string | Uint8Array, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportJson(report: Report, caseId: string): void {
  download(`${caseId}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
}

export function exportCsv(report: Report, caseId: string): void {
  download(`${caseId}.csv`, reportCsv(report), 'text/csv');
}

export function exportMasks(shown: Shown, options: Partial<MeasureOptions>, caseId: string): string[] {
  const files = maskFiles(shown.input, options, shown.report, shown.layers);
  for (const [name, bytes] of files) {
    download(`${caseId}-${name}`, bytes, name.endsWith('.json') ? 'application/json' : 'application/gzip');
  }
  return [...files.keys()];
}

/**
 * The DICOM SEG and TID 1500 SR of the measurement, in the CT's study (they carry its patient and
 * study modules). A CT that is not DICOM is refused (E_INPUT_UNSUPPORTED): the caller shows why.
 */
export async function exportDicom(shown: Shown, options: Partial<MeasureOptions>, caseId: string): Promise<string[]> {
  const out = await dicomExport({
    ct: shown.input.ct,
    pericardium: shown.input.pericardium,
    report: shown.report,
    layers: shown.layers,
    options,
    seg: true,
    sr: true,
  });
  const files: [string, Uint8Array | null][] = [
    [`${caseId}-seg.dcm`, out.seg],
    [`${caseId}-sr.dcm`, out.sr],
  ];
  for (const [name, bytes] of files) if (bytes) download(name, bytes, 'application/dicom');
  return files.filter(([, bytes]) => bytes !== null).map(([name]) => name);
}

/** The traced centerlines as perifat-vessels/1 JSON (LPS mm): `perifat measure --vessels` measures them. */
export function exportVesselsJson(vessels: readonly Vessel[], caseId: string): void {
  download(
    `${caseId}-centerlines.json`,
    `${JSON.stringify(vesselsDocument({ vessels: [...vessels] }), null, 2)}\n`,
    'application/json',
  );
}

/** The traced centerlines as VTK XML PolyData (.vtp, LPS mm), for 3D Slicer or VMTK. */
export function exportVesselsVtp(vessels: readonly Vessel[], caseId: string): void {
  download(`${caseId}-centerlines.vtp`, vesselsVtp(vessels), 'application/xml');
}
