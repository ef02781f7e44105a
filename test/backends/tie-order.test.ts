/**
 * METHOD.md §4: an exact ownership tie (equal w, as along a stem that several vessels given from
 * the same ostium share point for point) counts for every tied vessel, so no number depends on the
 * order in which the vessels are listed. A traced-like tree (RCA, and LAD, LCx, RI repeating the
 * left main stem) is measured in every order of its vessels on the CPU backend (float64) and on the
 * f32 mirror of the WebGPU pass; every per-vessel and per-lesion number must equal the phantom's
 * independent float64 truth, which itself must not depend on the order.
 */
import { describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { measure } from '../../src/measure/measure';
import type {
  PericoronaryExtra,
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from '../../src/measure/pericoronary-types';
import type { IntCt } from '../../src/measure/backend';
import type { LesionReport, Report, VesselReport } from '../../src/measure/report-types';
import { computeTruth, makePhantom } from '../../src/phantom';
import { arcLengths, type VesselSet } from '../../src/volume/vessels';
import { pericoronaryF32Reference } from '../oracles/pericoronary-f32';
import { reportDiff } from '../helpers/report-diff';
import { pericoronaryF64 } from '../../src/backends/cpu/pericoronary';
import { RING_COUNT } from '../../src/measure/pericoronary-types';
import { layerLesions, planShells } from '../../src/shells/plan';
import { type F32ReferenceResult } from '../oracles/pericoronary-f32';
import { OPTS, mismatches, oracleLayers, stemTree, tieMismatches } from '../harness/shell-fixtures';

/** The WebGPU pass's CPU mirror (f32 twins + float64 settling) behind the measurement interface. */
class F32MirrorBackend extends CpuMeasureBackend {
  override async pericoronary(
    ct: IntCt,
    vessels: PreparedVessel[],
    lesions: PreparedLesion[],
    opts: ShellOptions,
    extra: PericoronaryExtra = {},
  ): Promise<PericoronaryResult> {
    return pericoronaryF32Reference(ct, vessels, lesions, opts, extra);
  }
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** A report's numbers keyed by vessel name and lesion, so reports of any vessel order compare. */
function byName(r: Report): Report {
  const lesionKey = (l: LesionReport): string => `${l.vessel}:${l.startMm}-${l.endMm}`;
  return {
    ...r,
    vessels: [...r.vessels].sort((a: VesselReport, b: VesselReport) => a.name.localeCompare(b.name)),
    lesions: [...r.lesions].sort((a, b) => lesionKey(a).localeCompare(lesionKey(b))),
  };
}

/** Arc length of the stem two vessels share point for point (0 when none). */
function stemMm(a: VesselSet['vessels'][number], b: VesselSet['vessels'][number]): number {
  let k = 0;
  while (
    k < Math.min(a.points.length, b.points.length) &&
    a.points[k]!.every((x, c) => x === b.points[k]![c]) &&
    a.radii[k] === b.radii[k]
  )
    k++;
  return k >= 2 ? arcLengths(a.points.slice(0, k))[k - 1]! : 0;
}

const phantom = makePhantom({
  dims: [80, 80, 52],
  spacing: [0.5, 0.5, 0.75],
  noiseSd: 10,
  seed: 5,
  tree: { branchesFrom: 'ostium', branches: 3 },
});
const names = phantom.vessels.vessels.map((v) => v.name);
const vesselOf = (name: string) => phantom.vessels.vessels.find((v) => v.name === name)!;
const stem = stemMm(vesselOf('LAD'), vesselOf('LCx'));
// Lesions of the tied vessels that overlap inside the stem (so a stem voxel is in lesions of LAD,
// LCx and RI at once), besides the phantom's own LAD lesion.
const lesions = [
  ...phantom.vessels.lesions,
  { vessel: 'LAD', startMm: 0.2 * stem, endMm: 0.7 * stem },
  { vessel: 'LCx', startMm: 0.4 * stem, endMm: 0.9 * stem },
  { vessel: 'RI', startMm: 0.1 * stem, endMm: 0.5 * stem },
];
const OPTIONS = { calciumGuardMm: 0.8 };

function setOf(order: readonly string[]): VesselSet {
  return { ...phantom.vessels, vessels: order.map(vesselOf), lesions: lesions.filter((l) => order.includes(l.vessel)) };
}

describe('an exact ownership tie counts for every tied vessel', () => {
  it('the tree has a stem shared by LAD, LCx and RI', () => {
    expect(names).toEqual(['RCA', 'LAD', 'LCx', 'RI']);
    expect(stem).toBeGreaterThan(2);
    expect(stemMm(vesselOf('LAD'), vesselOf('RI'))).toBe(stem);
  });

  it('every order of the vessels gives the same numbers: CPU backend, f32 mirror, truth', async () => {
    const truth = byName(computeTruth(phantom.ct, null, setOf(names), OPTIONS));
    const input = (order: readonly string[]) => ({ ct: phantom.ct, pericardium: null, vessels: setOf(order) });
    const orders = permutations(names);
    expect(orders.length).toBe(24);
    for (const order of orders) {
      const t = byName(computeTruth(phantom.ct, null, setOf(order), OPTIONS));
      expect(reportDiff(t, truth, 0), `truth, order ${order}`).toEqual([]);
      const cpu = byName(await measure(input(order), new CpuMeasureBackend(), OPTIONS));
      expect(reportDiff(cpu, truth, 1e-9), `CPU, order ${order}`).toEqual([]);
      const f32 = byName(await measure(input(order), new F32MirrorBackend(), OPTIONS));
      expect(reportDiff(f32, truth, 1e-9), `f32 mirror, order ${order}`).toEqual([]);
    }
    // The stem's lesions of three vessels overlap: each is counted in full.
    for (const l of truth.lesions) expect(l.voiVoxels).toBeGreaterThan(0);
    for (const v of truth.vessels) expect(v.voiVoxels).toBeGreaterThan(0);
  }, 600_000);
});

/** Per-vessel histograms of a pericoronary result, keyed by vessel name (VOI counts and fat bins, rings). */
function perVessel(r: PericoronaryResult, vessels: readonly PreparedVessel[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const bins = r.voi.window.hi - r.voi.window.lo + 1;
  for (const v of vessels) {
    const voi = 1 + v.index;
    const ringLabels = Array.from({ length: RING_COUNT }, (_, k) => 1 + v.index * RING_COUNT + k);
    out[v.name] = [
      r.voi.voxels[voi]!,
      ...r.voi.histogram.subarray(voi * bins, (voi + 1) * bins),
      ...ringLabels.flatMap((l) => [r.rings.voxels[l]!, ...r.rings.histogram.subarray(l * bins, (l + 1) * bins)]),
    ];
  }
  return out;
}

describe('a stem shared from one ostium (fixture): every order, every path, the brute-force oracle', () => {
  const orders = permutations([0, 1, 2]);
  const base = stemTree();
  let reference: { vessels: Record<string, number[]>; lesions: number[] } | null = null;
  let undecided: { total: number; byReason: Readonly<Record<string, number>> } | null = null;
  let reference0Undecided: Uint32Array | null = null;

  it('float64 backend, f32 mirror and the literal oracle agree in all 6 orders, voxel for voxel', async () => {
    expect(orders.length).toBe(6);
    // Lesions of LAD and LCx overlap on the stem: a stem voxel can be in both, so two layers.
    expect(layerLesions(base.vessels, base.lesions).layerCount).toBe(2);
    for (const order of orders) {
      const { ct, vessels, lesions } = stemTree(order);
      const plan = planShells(ct, vessels, lesions, OPTS);
      expect(plan.tieLayerCount).toBe(3);
      const f64 = await pericoronaryF64(ct, vessels, lesions, OPTS, { returnLayers: true });
      const f32 = pericoronaryF32Reference(ct, vessels, lesions, OPTS, { returnLayers: true }) as F32ReferenceResult;
      const oracle = oracleLayers(ct, f64.crop, vessels, lesions, OPTS);
      for (const r of [f64, f32]) {
        expect(tieMismatches(r.layers!, oracle), `order ${order}`).toBe(0);
        expect(r.layers!.lesions.length).toBe(oracle.lesions.length);
        r.layers!.lesions.forEach((l, i) => expect(mismatches(l, oracle.lesions[i]!)).toBe(0));
      }
      // The tie in the stem's part is decided by the f32 kernels, not left to the settling.
      expect(f32.f32Layers.ties.length).toBe(2);
      expect(f32.f32Layers.ties[1]!.voi.some((l) => l > 0)).toBe(true);
      expect(f32.diagnostics.undecided!.total).toBeLessThan(plan.cropVoxels * 0.01);
      // Which voxels wait for float64, and why, does not depend on the order either (ownership is
      // judged against the final owner's rivals; the owner vessel in byVessel is the lowest tied).
      undecided ??= f32.diagnostics.undecided!;
      expect(f32.diagnostics.undecided!.total).toBe(undecided.total);
      expect(f32.diagnostics.undecided!.byReason).toEqual(undecided.byReason);
      expect(Array.from(f32.undecided)).toEqual(Array.from((reference0Undecided ??= f32.undecided)));
      const got = {
        vessels: perVessel(f64, vessels),
        lesions: Array.from(f64.lesions!.voxels).concat(Array.from(f64.lesions!.histogram)),
      };
      expect(perVessel(f32, vessels)).toEqual(got.vessels);
      expect(Array.from(f32.lesions!.voxels).concat(Array.from(f32.lesions!.histogram))).toEqual(got.lesions);
      reference ??= got;
      expect(got, `order ${order}`).toEqual(reference);
    }
    // Every lesion has voxels, the stem's two overlapping ones included.
    expect(reference!.lesions.slice(1, 5).every((n) => n > 0)).toBe(true);
  });

  it("the stem's voxels count for LAD, LCx and RI: each one's VOI alone = its VOI in the tree", async () => {
    // Segments ending 8 mm before the bifurcation: only the stem's VOI (w ≤ 2r ≤ 3.4 mm), which no
    // branch comes near, so being listed with the others must change nothing.
    const seg: [number, number] = [0, base.stemMm - 8];
    const withSeg = (vs: PreparedVessel[]) => vs.map((v) => ({ ...v, segmentMm: seg }));
    for (const order of orders) {
      const { ct, vessels } = stemTree(order);
      const tree = perVessel(await pericoronaryF64(ct, withSeg(vessels), [], OPTS), vessels);
      const treeF32 = perVessel(pericoronaryF32Reference(ct, withSeg(vessels), [], OPTS), vessels);
      // The VOI's count and fat bins (the rings reach 20 mm out, where the branches take voxels).
      const voi = (x: number[] | undefined) => x!.slice(0, 1 + OPTS.window.hi - OPTS.window.lo + 1);
      for (const v of vessels) {
        const one = [{ ...v, index: 0 }];
        const alone = perVessel(await pericoronaryF64(ct, withSeg(one), [], OPTS), one);
        expect(alone[v.name]![0]).toBeGreaterThan(300);
        expect(voi(tree[v.name]), `${v.name} in order ${order}`).toEqual(voi(alone[v.name]));
        expect(voi(treeF32[v.name])).toEqual(voi(alone[v.name]));
      }
    }
  });
});
