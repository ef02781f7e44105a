/**
 * What the SR must say for a report: per measurement group (by tracking identifier) each number
 * under the key sr-read.ts gives it (concept code, "/derivation" code), null = must be absent.
 */
import type { Report } from '../../src/measure/report-types';

const MEAN = '373098007';
const SD = '386136009';
const MEDIAN = '373099004';
const HU = "[hnsf'U]";

export type Expected = Map<string, Record<string, { value: number | null; unit: string }>>;

export function expectedGroups(report: Report, voxelMl: number): Expected {
  const out: Expected = new Map();
  if (report.eat)
    out.set('EAT', {
      '118565006': { value: report.eat.volumeMl, unit: 'ml' },
      [`112031/${MEAN}`]: { value: report.eat.meanHu, unit: HU },
      [`112031/${SD}`]: { value: report.eat.sdHu, unit: HU },
      [`112031/${MEDIAN}`]: { value: report.eat.medianHu, unit: HU },
      [`EATMEAN120/${MEAN}`]: { value: report.eat.meanHu120, unit: HU },
    });
  for (const v of report.vessels)
    out.set(`${v.name} pericoronary VOI`, {
      [`FAI/${MEAN}`]: { value: v.faiHu, unit: HU },
      [`FAI120/${MEAN}`]: { value: v.faiHu120, unit: HU },
      [`112031/${SD}`]: { value: v.sdHu, unit: HU },
      [`112031/${MEDIAN}`]: { value: v.medianHu, unit: HU },
      '118565006': { value: v.voiVoxels * voxelMl, unit: 'ml' },
      FATVOL: { value: v.fatVolumeMl, unit: 'ml' },
      SEGSTART: { value: v.segmentMm[0], unit: 'mm' },
      SEGEND: { value: v.segmentMm[1], unit: 'mm' },
      VPCI: { value: v.vpci, unit: '%' },
      [`NEAR/${MEAN}`]: { value: v.nearHu, unit: HU },
      [`REMOTE/${MEAN}`]: { value: v.remoteHu, unit: HU },
    });
  for (const l of report.lesions)
    out.set(`${l.vessel} lesion ${l.startMm}-${l.endMm} mm`, {
      [`FAI/${MEAN}`]: { value: l.faiHu, unit: HU },
      [`FAI120/${MEAN}`]: { value: l.faiHu120, unit: HU },
      LESSTART: { value: l.startMm, unit: 'mm' },
      LESEND: { value: l.endMm, unit: 'mm' },
    });
  return out;
}
