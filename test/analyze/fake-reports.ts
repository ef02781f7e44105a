/**
 * perifat-report/1 documents for tests that need many cases fast (no phantom, no measurement):
 * RCA FAI shifted by a label, LAD unrelated, rings with a gradient, one LAD lesion, EAT. Values
 * are drawn from a seeded generator; the statistics are checked elsewhere against scipy/pROC,
 * here only the plumbing (join, markers, refusals, outputs, the page).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportsCsv } from '../../src/io/report-csv';
import type { Report, VesselReport } from '../../src/measure/report-types';
import { Rng } from '../../src/phantom/rng';

export interface FakeCase {
  caseId: string;
  label: 0 | 1;
}

function vessel(name: string, fai: number, rng: Rng): VesselReport {
  return {
    name,
    segmentMm: [0, 40],
    faiHu: fai,
    faiHu120: fai,
    sdHu: 20,
    medianHu: fai,
    p25Hu: fai - 10,
    p75Hu: fai + 10,
    fatVoxels: 1500,
    voiVoxels: 3000,
    fatFraction: 0.5,
    fatVolumeMl: 0.8,
    vpci: 10 + rng.gauss(),
    nearHu: fai - 2,
    remoteHu: -100,
    rings: Array.from({ length: 20 }, (_, k) => ({
      innerMm: k,
      outerMm: k + 1,
      meanHu: -100 + (fai + 100) * Math.exp(-k / 4) + rng.gauss(),
      fatVoxels: 100,
    })),
    flags: [],
  };
}

export function fakeReport(c: FakeCase, rng: Rng, opts: { lad?: boolean } = {}): Report {
  const rca = -80 + 8 * c.label + 5 * rng.gauss();
  const lad = -78 + 5 * rng.gauss();
  return {
    schema: 'perifat-report/1',
    input: { ct: c.caseId, dims: [8, 8, 8], spacingMm: [1, 1, 1], kvp: 120, caseId: c.caseId },
    backend: { api: 'cpu', runtime: 'node', adapter: null },
    eat: {
      volumeMl: 100 + 20 * rng.gauss(),
      meanHu: -80 + 3 * rng.gauss(),
      sdHu: 30,
      medianHu: -80,
      p25Hu: -95,
      p75Hu: -65,
      minHu: -190,
      maxHu: -30,
      fatVoxels: 10000,
      meanHu120: null,
    },
    vessels: [vessel('RCA', rca, rng), ...(opts.lad === false ? [] : [vessel('LAD', lad, rng)])],
    lesions: [
      {
        vessel: 'LAD',
        startMm: 12,
        endMm: 21,
        faiHu: -70 + 6 * c.label + 4 * rng.gauss(),
        faiHu120: null,
        fatVoxels: 300,
        voiVoxels: 600,
        flags: [],
      },
    ],
    warnings: [],
    timingsMs: {},
  };
}

/** n cases alternating labels; LAD absent in `noLad` of them. Writes reports/, results.csv and outcomes.csv. */
export function writeFakeCohort(
  dir: string,
  n: number,
  opts: { noLad?: number; seed?: number } = {},
): { cases: FakeCase[]; reports: Report[] } {
  const rng = new Rng(opts.seed ?? 3);
  const cases: FakeCase[] = Array.from({ length: n }, (_, i) => ({
    caseId: `c${String(i).padStart(3, '0')}`,
    label: (i % 2) as 0 | 1,
  }));
  const reports = cases.map((c, i) => fakeReport(c, rng, { lad: i >= (opts.noLad ?? 0) }));
  mkdirSync(join(dir, 'reports'), { recursive: true });
  for (const r of reports) writeFileSync(join(dir, 'reports', `${r.input.caseId}.json`), JSON.stringify(r));
  writeFileSync(join(dir, 'results.csv'), reportsCsv(reports));
  const rows = ['caseId,event,stenosis,age,sex'];
  cases.forEach((c, i) => {
    rows.push(
      `${c.caseId},${c.label},${Math.round(40 + 10 * c.label + 10 * rng.gauss())},${Math.round(60 + 8 * rng.gauss())},${i % 3 === 0 ? 'F' : 'M'}`,
    );
  });
  writeFileSync(join(dir, 'outcomes.csv'), `${rows.join('\n')}\n`);
  return { cases, reports };
}
