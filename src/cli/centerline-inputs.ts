/**
 * The inputs from which `perifat measure`, `perifat batch` and `perifat centerlines` derive coronary
 * centerlines: a coronary mask (NIfTI or DICOM SEG, on the CT grid; a multi-label one with
 * `--coronary-labels 1=RCA,2=LAD`), an aorta mask, traces (`--trace "RCA:x,y,z;x,y,z"`), or a
 * TotalSegmentator output folder (`--totalseg DIR`) that also gives the pericardial region.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CenterlineRequest } from '../centerlines/derive';
import { parseTraceSpec, type TraceRequest } from '../centerlines/trace-spec';
import { PerifatError } from '../errors';
import type { ReadLimits } from '../io/limits';
import { loadLabels } from '../platform/node/load';
import { growMask } from '../volume/dilate';
import type { Geometry } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';

export interface CenterlineFlags {
  readonly coronaryMask?: string | undefined;
  readonly aorta?: string | undefined;
  readonly coronaryLabels?: string | undefined;
  readonly trace?: readonly string[] | undefined;
}

/** How much TotalSegmentator's heart mask is grown into a pericardial region (as the bundled case). */
export const HEART_GROW_MM = 5;

/** The files of a TotalSegmentator output folder perifat uses, those present. */
export interface TotalsegFiles {
  readonly pericardium?: string;
  readonly heart?: string;
  readonly coronary?: string;
  readonly aorta?: string;
}

export function totalsegFiles(dir: string): TotalsegFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new PerifatError('E_INPUT_NOT_FOUND', 'not a TotalSegmentator output folder', { file: dir });
  const at = (name: string): string | undefined => {
    for (const ext of ['.nii.gz', '.nii']) {
      const p = join(dir, `${name}${ext}`);
      if (existsSync(p)) return p;
    }
    return undefined;
  };
  const found = {
    pericardium: at('pericardium'),
    heart: at('heart'),
    coronary: at('coronary_arteries'),
    aorta: at('aorta'),
  };
  const files = Object.fromEntries(Object.entries(found).filter(([, p]) => p !== undefined)) as TotalsegFiles;
  if (!files.pericardium && !files.heart && !files.coronary)
    throw new PerifatError(
      'E_INPUT_NOT_FOUND',
      'no pericardium, heart or coronary_arteries mask (.nii.gz) in this TotalSegmentator folder',
      { file: dir },
    );
  return files;
}

/** `1=RCA,2=LAD` → label names (E_USAGE naming the item). */
export function parseCoronaryLabels(spec: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const item of spec.split(',')) {
    const m = /^\s*(\d{1,3})\s*=\s*([A-Za-z][\w-]{0,31})\s*$/.exec(item);
    const label = m ? Number(m[1]) : NaN;
    if (!m || !(label >= 1 && label <= 255))
      throw new PerifatError('E_USAGE', `--coronary-labels: "${item}" is not LABEL=NAME (label 1–255)`);
    out[label] = m[2] as string;
  }
  return out;
}

/** The traces of repeated `--trace` flags (each may hold several vessels separated by '|'). */
export function tracesOf(specs: readonly string[]): TraceRequest[] {
  return specs.flatMap((s) => parseTraceSpec(s));
}

/** A coronary or aorta mask, on the CT grid exactly (a mask on another grid is refused, not resampled). */
function loadOnGrid(path: string, ct: Geometry, limits: ReadLimits): Promise<LabelVolume> {
  return loadLabels(path, { onto: ct, resample: false, ...limits });
}

/** The centerline request of the flags, or null when they ask for none. */
export async function centerlineRequest(
  ct: Geometry,
  flags: CenterlineFlags,
  limits: ReadLimits,
): Promise<CenterlineRequest | null> {
  const traces = tracesOf(flags.trace ?? []);
  if (flags.coronaryMask && traces.length)
    throw new PerifatError('E_USAGE', 'give --coronary-mask or --trace, not both');
  if (flags.aorta && !flags.coronaryMask) throw new PerifatError('E_USAGE', '--aorta needs --coronary-mask');
  if (flags.coronaryLabels && !flags.coronaryMask)
    throw new PerifatError('E_USAGE', '--coronary-labels needs --coronary-mask');
  if (traces.length) return { trace: traces };
  if (!flags.coronaryMask) return null;
  // Both read at once: their inflating runs on libuv's threads, side by side.
  const [coronaryMask, aorta] = await Promise.all([
    loadOnGrid(flags.coronaryMask, ct, limits),
    flags.aorta ? loadOnGrid(flags.aorta, ct, limits) : Promise.resolve(null),
  ]);
  return {
    coronaryMask,
    aorta,
    ...(flags.coronaryLabels ? { labelNames: parseCoronaryLabels(flags.coronaryLabels) } : {}),
  };
}

/** What a TotalSegmentator folder gives a measurement, and the notes the report carries about it. */
export async function totalsegInputs(
  dir: string,
  ct: CtVolume,
  limits: ReadLimits,
): Promise<{ pericardium: LabelVolume | null; centerlines: CenterlineRequest | null; notes: string[] }> {
  const f = totalsegFiles(dir);
  const notes: string[] = [];
  let pericardium: LabelVolume | null = null;
  if (f.pericardium) {
    pericardium = await loadLabels(f.pericardium, { onto: ct, ...limits });
    notes.push('input: pericardial region = TotalSegmentator pericardium.nii.gz (trunk_cavities task)');
  } else if (f.heart) {
    const heart = await loadLabels(f.heart, { onto: ct, ...limits });
    pericardium = { ...heart, labels: growMask(heart.labels, heart, HEART_GROW_MM) };
    notes.push(
      `input: pericardial region = TotalSegmentator heart.nii.gz grown by ${HEART_GROW_MM} mm (an approximation: no pericardium.nii.gz; run the trunk_cavities task for it)`,
    );
  }
  let centerlines: CenterlineRequest | null = null;
  if (f.coronary) {
    centerlines = {
      coronaryMask: await loadOnGrid(f.coronary, ct, limits),
      aorta: f.aorta ? await loadOnGrid(f.aorta, ct, limits) : null,
    };
    notes.push(
      `input: centerlines derived from TotalSegmentator coronary_arteries.nii.gz${f.aorta ? ', ostia where they meet aorta.nii.gz' : ''}`,
    );
  } else {
    notes.push(
      'input: no coronary_arteries.nii.gz in the TotalSegmentator folder: no pericoronary measurement (run the coronary_arteries task, or give --vessels)',
    );
  }
  return { pericardium, centerlines, notes };
}
