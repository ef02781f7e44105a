/**
 * The main job: from a CT, an optional pericardium mask and optional centerlines to the report
 * of shared METHOD.md §8, on whichever backend is given. Runs the same in a browser, in headless
 * Chromium and in Node.
 */
import { basename } from '../util/path-name';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { Lesion, VesselSet } from '../volume/vessels';
import {
  type CenterlineRequest,
  type CenterlinesRecord,
  centerlinesRecord,
  deriveCenterlines,
  derivationTimings,
  derivedVesselSet,
} from '../centerlines/derive';
import { eatReport, lesionReports, vesselReports } from './assemble';
import type { MeasureBackend } from './backend';
import { type MeasureControl, slice, step, within } from './control';
import { kvpFactor } from './kvp';
import { type MeasureOptions, withDefaults } from './options';
import { Plausibility } from './plausibility';
import { eatLabels, integerCt, prepareVessels } from './prepare';
import { MAX_VESSELS, type PericoronaryHistograms, type ShellLayers } from './pericoronary-types';
import { REPORT_SCHEMA, type Report } from './report-types';

export interface MeasureInput {
  readonly ct: CtVolume;
  /** On the CT grid (loaders resample masks nearest-neighbour onto it). */
  readonly pericardium: LabelVolume | null;
  readonly vessels: VesselSet | null;
  /**
   * Derive the centerlines first (from a coronary mask or traces, with the backend's EDT) when no
   * `vessels` are given; their lesions, if any, are `vessels`-less lesions added afterwards.
   */
  readonly centerlines?: CenterlineRequest | null;
  /** Lesions for derived centerlines (VESSEL:START-END by the derived names). */
  readonly lesions?: readonly Lesion[];
}

/** The label layers of the pericoronary regions, for writing masks (crop of the CT grid). */
export interface MeasureLayers {
  readonly crop: PericoronaryHistograms['crop'];
  readonly layers: ShellLayers;
  readonly vessels: readonly string[];
}

export async function measure(
  input: MeasureInput,
  backend: MeasureBackend,
  options: Partial<MeasureOptions> = {},
): Promise<Report> {
  return (await measureDetailed(input, backend, options)).report;
}

/**
 * measure(), and with `wantLayers` also the VOI / ring / lesion label layers the numbers came from.
 * `control` cancels (E_ABORTED, between stages and the backends' dispatches) and reports progress.
 */
export async function measureDetailed(
  input: MeasureInput,
  backend: MeasureBackend,
  options: Partial<MeasureOptions> = {},
  extra: { wantLayers?: boolean; control?: MeasureControl } = {},
): Promise<{ report: Report; layers: MeasureLayers | null }> {
  const control = extra.control;
  step(control, 'prepare', 0);
  const o = withDefaults(options);
  const warnings: string[] = [];
  const timingsMs: Record<string, number> = {};
  const t0 = now();
  const ct = integerCt(input.ct, warnings);
  const plausibility = new Plausibility(o.strict, warnings);
  plausibility.inputs(input.ct, input.pericardium, o);

  const kvp = o.kvp ?? ct.kvp;
  const factor = kvpFactor(kvp, o.kvpFactors);
  if (kvp === null)
    warnings.push('tube voltage unknown (no KVP tag, no --kvp): 120 kVp values are null; flags use raw HU');
  else if (factor === null)
    warnings.push(`no conversion factor for ${kvp} kVp: 120 kVp values are null; flags use raw HU`);

  for (const w of input.ct.warnings ?? []) warnings.push(`input: ${w}`);
  if (input.pericardium?.resampled) warnings.push(`input: ${input.pericardium.resampled}`);
  let eat = null;
  if (input.pericardium) {
    step(control, 'eat', 0.02);
    const t = now();
    const labels = eatLabels(ct, input.pericardium, o);
    plausibility.eatRegion(ct, input.pericardium, labels, o);
    await slice(control, 'eat', 0.03);
    const fat = await backend.fatHistograms(ct, labels, 1, o.window, within(control, 0.03, 0.05));
    eat = eatReport(fat, ct, factor);
    timingsMs['eat'] = now() - t;
  }

  let vesselSet = input.vessels;
  let derived: CenterlinesRecord | undefined;
  if (!vesselSet && input.centerlines) {
    step(control, 'centerlines', 0.05);
    const t = now();
    const d = await deriveCenterlines(
      ct,
      input.centerlines,
      (dims, spacing, mask) => backend.edt(dims, spacing, mask),
      control?.signal,
    );
    for (const w of d.warnings) warnings.push(`centerlines: ${w.message}`);
    const set = derivedVesselSet(d, 'derived centerlines');
    // A measurement holds at most MAX_VESSELS (u8 ring labels): the named vessels come first, the
    // extra branches beyond the limit are left out, and said.
    let kept = set.vessels;
    if (kept.length > MAX_VESSELS) {
      const main = kept.filter((v) => !v.name.includes('-b'));
      const ranked = [...main, ...kept.filter((v) => v.name.includes('-b'))].slice(0, MAX_VESSELS);
      const left = kept.filter((v) => !ranked.includes(v)).map((v) => v.name);
      warnings.push(
        `centerlines: ${left.length} branches beyond ${MAX_VESSELS} vessels not measured (${left.join(', ')})`,
      );
      kept = kept.filter((v) => ranked.includes(v));
    }
    // The record holds the polylines measured: a rerun with --vessels on the report measures them.
    derived = centerlinesRecord({ ...d, vessels: [...kept] });
    vesselSet = { ...set, vessels: kept, lesions: [...(input.lesions ?? [])] };
    for (const [k, v] of Object.entries(derivationTimings(d))) timingsMs[`centerlines.${k}`] = v;
    timingsMs['centerlines'] = now() - t;
  }

  let layers: MeasureLayers | null = null;
  let vessels: Report['vessels'] = [];
  let lesions: Report['lesions'] = [];
  let diagnostics: Report['diagnostics'];
  if (vesselSet && vesselSet.vessels.length > 0) {
    step(control, 'pericoronary', 0.1);
    const t = now();
    const prepared = prepareVessels(vesselSet, o, warnings);
    // Derived centerlines come from the lumen and run from the ostium by construction.
    if (!derived) plausibility.vessels(ct, prepared.vessels, o, vesselSet.source);
    const sub = within(control, 0.1, 0.98);
    const h = await backend.pericoronary(
      ct,
      prepared.vessels,
      prepared.lesions,
      { window: o.window, wallGapMm: o.wallGapMm, calciumGuardMm: o.calciumGuardMm, calciumHu: o.calciumHu },
      { returnLayers: extra.wantLayers === true, ...(sub ? { control: sub } : {}) },
    );
    if (h.layers) layers = { crop: h.crop, layers: h.layers, vessels: prepared.vessels.map((v) => v.name) };
    vessels = vesselReports(h, prepared.vessels, ct, factor, o);
    lesions = lesionReports(h, prepared.lesions, prepared.vessels, factor, o);
    for (const [k, v] of Object.entries(h.timingsMs)) timingsMs[`fai.${k}`] = v;
    diagnostics = { pericoronary: h.diagnostics };
    timingsMs['fai'] = now() - t;
  }
  step(control, 'report', 0.99);
  timingsMs['total'] = now() - t0;

  const report: Report = {
    schema: REPORT_SCHEMA,
    input: { ct: basename(ct.source), dims: [...ct.dims], spacingMm: [...ct.spacing], kvp },
    backend: backend.info,
    eat,
    vessels,
    lesions,
    warnings,
    timingsMs,
    ...(diagnostics ? { diagnostics } : {}),
    ...(derived ? { centerlines: derived } : {}),
  };
  step(control, 'done', 1);
  return { report, layers };
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
