/**
 * From backend histograms to the report's numbers (METHOD.md §3–§6). Shared by every backend,
 * so all of them derive statistics the same way.
 */
import { histogramRow, type LabelHistograms, summarizeHistogram, summarizeLabel } from '../stats/label-stats';
import { voxelVolumeMl, type Geometry } from '../volume/geometry';
import { evaluateFlags } from './flags';
import { to120 } from './kvp';
import type { MeasureOptions } from './options';
import {
  RING_COUNT,
  RING_WIDTH_MM,
  type PericoronaryHistograms,
  type PreparedLesion,
  type PreparedVessel,
} from './pericoronary-types';
import type { EatReport, LesionReport, RingReport, VesselReport } from './report-types';

export function eatReport(h: LabelHistograms, grid: Geometry, factor: number | null): EatReport {
  const s = summarizeLabel(h, 1);
  return {
    volumeMl: s.fatVoxels * voxelVolumeMl(grid),
    meanHu: s.meanHu,
    sdHu: s.sdHu,
    medianHu: s.medianHu,
    p25Hu: s.p25Hu,
    p75Hu: s.p75Hu,
    minHu: s.minHu,
    maxHu: s.maxHu,
    fatVoxels: s.fatVoxels,
    meanHu120: to120(s.meanHu, factor),
  };
}

/** Merge histogram rows of several labels (near / remote fat are unions of rings). */
function mergedSummary(h: LabelHistograms, labels: number[]) {
  const bins = h.window.hi - h.window.lo + 1;
  const row = new Float64Array(bins);
  let voxels = 0;
  for (const l of labels) {
    const r = histogramRow(h, l);
    for (let b = 0; b < bins; b++) row[b]! += r[b] as number;
    voxels += h.voxels[l] as number;
  }
  return summarizeHistogram(row, h.window.lo, voxels);
}

function ringLabels(vessel: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push(1 + vessel * RING_COUNT + k);
  return out;
}

export function vesselReports(
  h: PericoronaryHistograms,
  vessels: readonly PreparedVessel[],
  grid: Geometry,
  factor: number | null,
  o: MeasureOptions,
): VesselReport[] {
  return vessels.map((v) => {
    const voi = summarizeLabel(h.voi, 1 + v.index);
    const rings: RingReport[] = [];
    for (let k = 0; k < RING_COUNT; k++) {
      const r = summarizeLabel(h.rings, 1 + v.index * RING_COUNT + k);
      rings.push({
        innerMm: k * RING_WIDTH_MM,
        outerMm: (k + 1) * RING_WIDTH_MM,
        meanHu: r.meanHu,
        fatVoxels: r.fatVoxels,
      });
    }
    const outer = rings[RING_COUNT - 1]?.meanHu ?? null;
    const fai = voi.meanHu;
    const fai120 = to120(fai, factor);
    return {
      name: v.name,
      segmentMm: [v.segmentMm[0], v.segmentMm[1]],
      faiHu: fai,
      faiHu120: fai120,
      sdHu: voi.sdHu,
      medianHu: voi.medianHu,
      p25Hu: voi.p25Hu,
      p75Hu: voi.p75Hu,
      fatVoxels: voi.fatVoxels,
      voiVoxels: voi.voxels,
      fatFraction: voi.voxels > 0 ? voi.fatVoxels / voi.voxels : null,
      fatVolumeMl: voi.fatVoxels * voxelVolumeMl(grid),
      vpci: fai !== null && outer !== null && fai !== 0 ? (100 * (fai - outer)) / Math.abs(fai) : null,
      // Near 0 < w ≤ 5 mm = rings 0…4; remote 10 < w ≤ 20 mm = rings 10…19 (Konishi 2010).
      nearHu: mergedSummary(h.rings, ringLabels(v.index, 0, 5)).meanHu,
      remoteHu: mergedSummary(h.rings, ringLabels(v.index, 10, 20)).meanHu,
      rings,
      flags: evaluateFlags(o.flags, 'vessel', fai, fai120, v.name),
    };
  });
}

export function lesionReports(
  h: PericoronaryHistograms,
  lesions: readonly PreparedLesion[],
  vessels: readonly PreparedVessel[],
  factor: number | null,
  o: MeasureOptions,
): LesionReport[] {
  return lesions.map((l, i) => {
    const s = h.lesions ? summarizeLabel(h.lesions, 1 + i) : null;
    const fai = s?.meanHu ?? null;
    const fai120 = to120(fai, factor);
    const vessel = vessels[l.vesselIndex]?.name ?? '?';
    return {
      vessel,
      startMm: l.startMm,
      endMm: l.endMm,
      faiHu: fai,
      faiHu120: fai120,
      fatVoxels: s?.fatVoxels ?? 0,
      voiVoxels: s?.voxels ?? 0,
      flags: evaluateFlags(o.flags, 'lesion', fai, fai120, vessel),
    };
  });
}
