/**
 * The report, `perifat-report/1` (shared METHOD.md §8). Keys other tools read; more may be added,
 * none renamed without a schema bump. A mean over zero voxels is null, never 0 or NaN.
 */
import type { CenterlinesRecord } from '../centerlines/derive';
import type { ShellDiagnostics } from './pericoronary-types';
export const REPORT_SCHEMA = 'perifat-report/1';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters (SwiftShader) and fallback adapters. */
  isFallback?: boolean;
}

export interface BackendInfo {
  api: 'webgpu' | 'cpu';
  runtime: 'chromium' | 'node' | 'browser';
  adapter: AdapterSummary | null;
  /** Why this backend ran, when `--backend auto` chose it. */
  selection?: string;
}

export interface EatReport {
  volumeMl: number;
  meanHu: number | null;
  sdHu: number | null;
  medianHu: number | null;
  p25Hu: number | null;
  p75Hu: number | null;
  minHu: number | null;
  maxHu: number | null;
  fatVoxels: number;
  meanHu120: number | null;
}

export interface Flag {
  id: string;
  threshold: number;
  value: number;
  source: string;
}

export interface RingReport {
  innerMm: number;
  outerMm: number;
  meanHu: number | null;
  fatVoxels: number;
}

export interface VesselReport {
  name: string;
  segmentMm: [number, number];
  faiHu: number | null;
  faiHu120: number | null;
  sdHu: number | null;
  medianHu: number | null;
  p25Hu: number | null;
  p75Hu: number | null;
  fatVoxels: number;
  voiVoxels: number;
  fatFraction: number | null;
  fatVolumeMl: number;
  vpci: number | null;
  nearHu: number | null;
  remoteHu: number | null;
  rings: RingReport[];
  flags: Flag[];
}

export interface LesionReport {
  vessel: string;
  startMm: number;
  endMm: number;
  faiHu: number | null;
  faiHu120: number | null;
  fatVoxels: number;
  voiVoxels: number;
  flags: Flag[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  input: {
    ct: string;
    dims: [number, number, number];
    spacingMm: [number, number, number];
    kvp: number | null;
    /** The case id the CLI or batch gave the input (no patient identifiers by default). */
    caseId?: string;
    /** What a batch recorded of the input files, so a rerun can skip a finished case. */
    fingerprint?: { stamp: string; sha256?: string; files: number; bytes: number };
  };
  backend: BackendInfo;
  eat: EatReport | null;
  vessels: VesselReport[];
  lesions: LesionReport[];
  warnings: string[];
  timingsMs: Record<string, number>;
  /** How the numbers were computed (not measurements): the pericoronary path's work. */
  diagnostics?: { pericoronary?: ShellDiagnostics };
  /**
   * Present when perifat derived the centerlines itself (from a coronary mask or traces): how, its
   * warnings, and the polylines measured (perifat-vessels/1), so a rerun with --vessels reproduces it.
   */
  centerlines?: CenterlinesRecord;
}
