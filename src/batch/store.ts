/**
 * A batch's output folder. Each case ends as exactly one of
 *   reports/<caseId>.json    its perifat-report/1 (with the input fingerprint), or
 *   failures/<caseId>.json   its typed error (perifat-failure/1),
 * each written whole (temporary + rename). A new report removes the case's old failure record; a new
 * failure never removes a report: a report is replaced only by a newer report, so a rerun that meets
 * a transient fault (an unmounted share, a timeout) keeps the good one, which `results.csv` then
 * marks `stale` (the failure beside it says why). `results.csv` and `failures.csv` are rebuilt from
 * these records, so they are never half a row and always agree with them; `batch.json` names the manifest, the shard and its cases, so
 * `perifat merge` can tell which cases are missing.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PerifatError, type PerifatErrorCode } from '../errors';
import { csvCell, reportsCsv } from '../io/report-csv';
import type { Report } from '../measure/report-types';
import { OutputSet } from '../platform/node/output-set';

export const BATCH_SCHEMA = 'perifat-batch/1';
export const FAILURE_SCHEMA = 'perifat-failure/1';

export interface FailureRecord {
  schema: typeof FAILURE_SCHEMA;
  caseId: string;
  code: PerifatErrorCode | 'E_UNEXPECTED';
  message: string;
  file?: string;
  fingerprint: NonNullable<Report['input']['fingerprint']>;
}

export interface BatchRecord {
  schema: typeof BATCH_SCHEMA;
  perifat: string;
  manifest: string | null;
  shard: { k: number; n: number } | null;
  cases: string[];
}

/** Errors that a rerun on the same files would meet again: such a case is not retried unasked. */
export function deterministic(code: FailureRecord['code']): boolean {
  return (
    code.startsWith('E_INPUT') ||
    code === 'E_MASK_GRID' ||
    code === 'E_CENTERLINE' ||
    code === 'E_TOO_LARGE' ||
    code === 'E_OPTIONS'
  );
}

export class BatchStore {
  constructor(readonly dir: string) {}

  reportPath(id: string): string {
    return join(this.dir, 'reports', `${id}.json`);
  }
  failurePath(id: string): string {
    return join(this.dir, 'failures', `${id}.json`);
  }
  masksPath(id: string): string {
    return join(this.dir, 'masks', id);
  }
  /** The case's DICOM SEG or SR, beside its report (reports/<caseId>.seg.dcm, .sr.dcm). */
  dicomPath(id: string, kind: 'seg' | 'sr'): string {
    return join(this.dir, 'reports', `${id}.${kind}.dcm`);
  }

  /** Creates the folder and its record folders (before the lock, which lives in it). */
  makeFolders(): void {
    try {
      mkdirSync(join(this.dir, 'reports'), { recursive: true });
      mkdirSync(join(this.dir, 'failures'), { recursive: true });
    } catch (e) {
      throw new PerifatError('E_OUTPUT', `cannot create the output folder: ${(e as Error).message}`, {
        file: this.dir,
      });
    }
  }

  open(record: BatchRecord): void {
    this.makeFolders();
    const out = new OutputSet();
    out.file(join(this.dir, 'batch.json'), `${JSON.stringify(record, null, 2)}\n`);
    out.commit();
  }

  batch(): BatchRecord | null {
    return readJson<BatchRecord>(join(this.dir, 'batch.json'));
  }

  report(id: string): Report | null {
    return readJson<Report>(this.reportPath(id));
  }
  failure(id: string): FailureRecord | null {
    return readJson<FailureRecord>(this.failurePath(id));
  }

  /**
   * A finished case: its report (masks, SEG, SR) in place, any old failure record gone; a SEG or SR
   * of an earlier run that this one did not write is removed, so what lies beside a report is its own.
   */
  saveReport(
    id: string,
    report: Report,
    masks: ReadonlyMap<string, Uint8Array> | null,
    dicom: { seg: Uint8Array | null; sr: Uint8Array | null } = { seg: null, sr: null },
  ): void {
    const out = new OutputSet();
    try {
      out.file(this.reportPath(id), `${JSON.stringify(report, null, 2)}\n`);
      if (masks) out.folder(this.masksPath(id), masks);
      if (dicom.seg) out.file(this.dicomPath(id, 'seg'), dicom.seg);
      if (dicom.sr) out.file(this.dicomPath(id, 'sr'), dicom.sr);
      out.commit();
    } catch (e) {
      out.discard();
      throw e;
    }
    if (!dicom.seg) rmSync(this.dicomPath(id, 'seg'), { force: true });
    if (!dicom.sr) rmSync(this.dicomPath(id, 'sr'), { force: true });
    rmSync(this.failurePath(id), { force: true });
  }

  /**
   * A failed case: its error recorded. A report already there is kept (it is the last good result,
   * now stale): only a newer report replaces a report. Returns whether one was kept.
   */
  saveFailure(failure: FailureRecord): boolean {
    const out = new OutputSet();
    out.file(this.failurePath(failure.caseId), `${JSON.stringify(failure, null, 2)}\n`);
    out.commit();
    // The report's SEG and SR (if any) stay with it: they are its own.
    return this.report(failure.caseId) !== null;
  }

  /** Forgets a failure whose case's report is current again. */
  clearFailure(id: string): void {
    rmSync(this.failurePath(id), { force: true });
  }

  /**
   * results.csv and failures.csv of these cases, rebuilt from their records (sorted by case id);
   * a case with both a report and a newer failure keeps its row, marked stale.
   */
  rebuildTables(ids: readonly string[]): { reports: number; failures: number; stale: number } {
    const sorted = [...ids].sort();
    const reports = sorted.map((id) => this.report(id)).filter((r): r is Report => r !== null);
    const failures = sorted.map((id) => this.failure(id)).filter((f): f is FailureRecord => f !== null);
    const failed = new Set(failures.map((f) => f.caseId));
    const stale = new Set(reports.map(caseIdOf).filter((id) => failed.has(id)));
    writeTables(this.dir, reports, failures, stale);
    return { reports: reports.length, failures: failures.length, stale: stale.size };
  }

  /** Every case id with a report or failure record in this folder. */
  recordedIds(): { reports: string[]; failures: string[] } {
    const ids = (sub: string) =>
      existsSync(join(this.dir, sub))
        ? readdirSync(join(this.dir, sub))
            .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
            .map((n) => n.slice(0, -5))
            .sort()
        : [];
    return { reports: ids('reports'), failures: ids('failures') };
  }
}

const caseIdOf = (r: Report): string => r.input.caseId ?? r.input.ct;

/**
 * results.csv and failures.csv in `dir`, both or neither. results.csv has the columns of
 * `measure --csv` and then `stale`: 1 where the report is an earlier run's and the last run of
 * the case failed (its failure record says why), else 0.
 */
export function writeTables(
  dir: string,
  reports: readonly Report[],
  failures: readonly FailureRecord[],
  stale: ReadonlySet<string> = new Set(),
): void {
  const out = new OutputSet();
  try {
    out.file(
      join(dir, 'results.csv'),
      reports.length ? reportsCsv(reports, (r) => [['stale', stale.has(caseIdOf(r)) ? 1 : 0]]) : 'case_id,stale\n',
    );
    out.file(join(dir, 'failures.csv'), failuresCsv(failures));
    out.commit();
  } catch (e) {
    out.discard();
    throw e;
  }
}

export function failuresCsv(failures: readonly FailureRecord[]): string {
  const lines = ['caseId,code,message,file'];
  for (const f of failures) lines.push([f.caseId, f.code, f.message, f.file ?? ''].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** A record written by perifat: unreadable or half-written is treated as absent (the case is redone). */
function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
