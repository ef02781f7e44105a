/**
 * One row per case, stable columns so batches concatenate: EAT, then RCA, LAD and LCx always
 * (empty when absent), then any other vessels by name.
 */
import { safeText } from '../util/safe-text';
import type { Report, VesselReport } from '../measure/report-types';

const STANDARD_VESSELS = ['RCA', 'LAD', 'LCx'];
const VESSEL_FIELDS: [string, (v: VesselReport) => unknown][] = [
  ['fai_hu', (v) => v.faiHu],
  ['fai_hu120', (v) => v.faiHu120],
  ['sd_hu', (v) => v.sdHu],
  ['median_hu', (v) => v.medianHu],
  ['fat_voxels', (v) => v.fatVoxels],
  ['voi_voxels', (v) => v.voiVoxels],
  ['fat_fraction', (v) => v.fatFraction],
  ['fat_volume_ml', (v) => v.fatVolumeMl],
  ['vpci', (v) => v.vpci],
  ['near_hu', (v) => v.nearHu],
  ['remote_hu', (v) => v.remoteHu],
  ['flags', (v) => v.flags.map((f) => f.id).join(' ')],
];

export function reportCsv(report: Report): string {
  return reportsCsv([report]);
}

/**
 * Many reports as one CSV (a batch): a row per report, the columns of reportCsv — the union over
 * the reports when some have extra vessels — and `case_id` first when the reports carry one.
 */
export function reportsCsv(
  reports: readonly Report[],
  extra: (report: Report) => [string, unknown][] = () => [],
): string {
  const rows = reports.map((r) => [...reportColumns(r), ...extra(r)]);
  const header: string[] = [];
  for (const row of rows) for (const [k] of row) if (!header.includes(k)) header.push(k);
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const byKey = new Map(row);
    lines.push(header.map((k) => csvCell(byKey.get(k))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function reportColumns(report: Report): [string, unknown][] {
  const cols: [string, unknown][] = [
    ...(report.input.caseId !== undefined ? ([['case_id', report.input.caseId]] as [string, unknown][]) : []),
    ['ct', report.input.ct],
    ['kvp', report.input.kvp],
    ['backend', `${report.backend.api}/${report.backend.runtime}`],
    ['eat_volume_ml', report.eat?.volumeMl],
    ['eat_mean_hu', report.eat?.meanHu],
    ['eat_mean_hu120', report.eat?.meanHu120],
    ['eat_sd_hu', report.eat?.sdHu],
    ['eat_median_hu', report.eat?.medianHu],
    ['eat_p25_hu', report.eat?.p25Hu],
    ['eat_p75_hu', report.eat?.p75Hu],
    ['eat_min_hu', report.eat?.minHu],
    ['eat_max_hu', report.eat?.maxHu],
    ['eat_fat_voxels', report.eat?.fatVoxels],
  ];
  const names = [...STANDARD_VESSELS];
  for (const v of report.vessels) if (!names.some((n) => n.toUpperCase() === v.name.toUpperCase())) names.push(v.name);
  for (const name of names) {
    const v = report.vessels.find((x) => x.name.toUpperCase() === name.toUpperCase());
    for (const [field, get] of VESSEL_FIELDS) cols.push([`${name.toLowerCase()}_${field}`, v ? get(v) : undefined]);
  }
  cols.push(['lesions', report.lesions.length], ['warnings', report.warnings.join(' | ')]);
  return cols;
}

/**
 * One RFC 4180 cell. Text from inputs has its control characters escaped (safeText), and a cell
 * that a spreadsheet would run as a formula (= + - @ first) is quoted with a leading apostrophe.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : safeText(String(v));
  if (typeof v !== 'number' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A cell of perifat's own CSV read back: the formula guard csvCell added is taken off again. */
export function csvCellText(cell: string): string {
  return /^'[=+\-@]/.test(cell) ? cell.slice(1) : cell;
}
