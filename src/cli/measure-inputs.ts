/**
 * `perifat measure`'s inputs from its flags: a case file, or a CT with its pericardium mask and
 * centerlines (read side by side, src/platform/node/load.ts), or what to derive them from.
 */
import { PerifatError } from '../errors';
import type { ReadLimits } from '../io/limits';
import type { MeasureInput } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import { loadCaseFiles, loadCt, loadLabels, loadVessels } from '../platform/node/load';
import type { VesselSet } from '../volume/vessels';
import { centerlineFlags } from './args';
import { lesionsOf, withLesions } from './case-inputs';
import { loadCase } from './case-file';
import { centerlineRequest, totalsegInputs } from './centerline-inputs';
import type { Progress } from './progress';

/** The flags of `perifat measure` that name its inputs. */
export interface InputFlags {
  readonly ct?: string | undefined;
  readonly case?: string | undefined;
  readonly pericardium?: string | undefined;
  readonly vessels?: string | undefined;
  readonly 'coronary-mask'?: string | undefined;
  readonly aorta?: string | undefined;
  readonly 'coronary-labels'?: string | undefined;
  readonly trace?: string[] | undefined;
  readonly totalseg?: string | undefined;
  readonly lesions?: string[] | undefined;
}

export interface LoadedInputs {
  input: MeasureInput;
  options: Partial<MeasureOptions>;
  /** Lines for the report's warnings (how a case file or TotalSegmentator folder built its inputs). */
  notes: string[];
}

/**
 * Reads the inputs. `options` are the command line's measurement options: they override a case
 * file's. `named` is how progress lines name a path.
 */
export async function loadInputs(
  values: InputFlags,
  options: Partial<MeasureOptions>,
  limits: ReadLimits,
  progress: Progress,
  named: (path: string) => string,
): Promise<LoadedInputs> {
  if (values.case) {
    progress.step(`loading case ${named(values.case)}`);
    const loaded = await loadCase(values.case, limits);
    let input = loaded.input;
    if (values.lesions?.length)
      input =
        input.centerlines && !input.vessels
          ? { ...input, lesions: lesionsOf(values.lesions) }
          : { ...input, vessels: withLesions(input.vessels, values.lesions) };
    // Flags given on the command line override the case file's settings.
    return { input, options: { ...loaded.options, ...options }, notes: loaded.notes };
  }
  const ctPath = values.ct as string;
  progress.step(`loading CT ${named(ctPath)}`);
  const derive = values['coronary-mask'] !== undefined || (values.trace?.length ?? 0) > 0;
  if (!values.totalseg && !derive) {
    // The plain case: CT, mask and centerlines, the last two read while the CT inflates.
    const files = await loadCaseFiles({ ct: ctPath, pericardium: values.pericardium, vessels: values.vessels }, limits);
    const vessels = values.lesions?.length ? withLesions(files.vessels, values.lesions) : files.vessels;
    return { input: { ct: files.ct, pericardium: files.pericardium, vessels }, options, notes: [] };
  }
  const ct = await loadCt(ctPath, limits);
  if (values.vessels && derive)
    throw new PerifatError(
      'E_USAGE',
      'give --vessels or what to derive them from (--coronary-mask, --trace), not both',
    );
  const totalseg = values.totalseg ? await totalsegInputs(values.totalseg, ct, limits) : null;
  const notes = totalseg
    ? totalseg.notes.filter((n) => !(n.includes('centerlines') && (values.vessels || derive)))
    : [];
  const pericardium = values.pericardium
    ? await loadLabels(values.pericardium, { onto: ct, ...limits })
    : (totalseg?.pericardium ?? null);
  let vessels: VesselSet | null = values.vessels ? await loadVessels(values.vessels, { ct, ...limits }) : null;
  const centerlines = vessels
    ? null
    : derive
      ? await centerlineRequest(ct, centerlineFlags(values), limits)
      : (totalseg?.centerlines ?? null);
  if (centerlines)
    return {
      input: { ct, pericardium, vessels: null, centerlines, lesions: lesionsOf(values.lesions ?? []) },
      options,
      notes,
    };
  if (values.lesions?.length) vessels = withLesions(vessels, values.lesions);
  return { input: { ct, pericardium, vessels }, options, notes };
}
