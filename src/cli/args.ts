/** Parsing of the measure command's option values into MeasureOptions (malformed values are E_USAGE). */
import { PerifatError } from '../errors';
import type { RuntimeChoice } from '../platform/node/session';
import { type AxialLimits, type MeasureOptions, withDefaults } from '../measure/options';
import type { ReadLimits } from '../io/limits';
import type { Lesion } from '../volume/vessels';

function range(flag: string, text: string): [number, number] {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[:,]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw new PerifatError('E_USAGE', `${flag} expects FROM:TO, got "${text}"`);
  return [Number(m[1]), Number(m[2])];
}

function num(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new PerifatError('E_USAGE', `${flag} expects a number, got "${text}"`);
  return v;
}

/** `RCA=10:50` (repeatable). */
export function parseSegments(specs: readonly string[]): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new PerifatError('E_USAGE', `--segment expects NAME=FROM:TO, got "${s}"`);
    const [a, b] = range('--segment', s.slice(eq + 1));
    if (!(b > a) || a < 0) throw new PerifatError('E_USAGE', `--segment ${s}: need 0 ≤ FROM < TO`);
    out[s.slice(0, eq)] = [a, b];
  }
  return out;
}

/** `LAD:12-21.5` items, comma-separated or repeated. */
export function parseLesionSpecs(specs: readonly string[]): Lesion[] {
  const out: Lesion[] = [];
  for (const item of specs.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '')) {
    const m = /^\s*([^:]+):\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(item);
    if (!m) throw new PerifatError('E_USAGE', `--lesions expects VESSEL:START-END (mm), got "${item}"`);
    const startMm = Number(m[2]);
    const endMm = Number(m[3]);
    if (!(endMm > startMm)) throw new PerifatError('E_USAGE', `--lesions ${item.trim()}: END must exceed START`);
    out.push({ vessel: (m[1] as string).trim(), startMm, endMm });
  }
  return out;
}

export interface RawMeasureFlags {
  kvp?: string | undefined;
  'fat-window'?: string | undefined;
  segment?: string[] | undefined;
  'wall-gap'?: string | undefined;
  'calcium-guard'?: string | undefined;
  'axial-slices'?: string | undefined;
  'axial-mm'?: string | undefined;
  label?: string | undefined;
  strict?: boolean | undefined;
}

/** The flags as options, their ranges checked: a flag out of range is a usage error. */
export function measureOptionsFrom(v: RawMeasureFlags): Partial<MeasureOptions> {
  const o = rawOptions(v);
  try {
    withDefaults(o);
  } catch (e) {
    if (e instanceof PerifatError) throw new PerifatError('E_USAGE', e.message);
    throw e;
  }
  return o;
}

function rawOptions(v: RawMeasureFlags): Partial<MeasureOptions> {
  const o: { -readonly [K in keyof MeasureOptions]?: MeasureOptions[K] } = {};
  const kvp = num('--kvp', v.kvp);
  if (kvp !== undefined) o.kvp = kvp;
  if (v['fat-window']) {
    const [lo, hi] = range('--fat-window', v['fat-window']);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi) {
      throw new PerifatError('E_USAGE', '--fat-window expects integer LO:HI with LO ≤ HI');
    }
    o.window = { lo, hi };
  }
  if (v.segment?.length) o.segmentsMm = parseSegments(v.segment);
  const gap = num('--wall-gap', v['wall-gap']);
  if (gap !== undefined) {
    if (gap < 0) throw new PerifatError('E_USAGE', '--wall-gap must be ≥ 0 mm');
    o.wallGapMm = gap;
  }
  const guard = num('--calcium-guard', v['calcium-guard']);
  if (guard !== undefined) {
    if (guard <= 0) throw new PerifatError('E_USAGE', '--calcium-guard must be > 0 mm');
    o.calciumGuardMm = guard;
  }
  if (v['axial-slices'] && v['axial-mm'])
    throw new PerifatError('E_USAGE', 'give --axial-slices or --axial-mm, not both');
  if (v['axial-slices']) {
    const [from, to] = range('--axial-slices', v['axial-slices']);
    o.axialLimits = { unit: 'slice', from, to } satisfies AxialLimits;
  }
  if (v['axial-mm']) {
    const [from, to] = range('--axial-mm', v['axial-mm']);
    o.axialLimits = { unit: 'mm', from, to } satisfies AxialLimits;
  }
  const label = num('--label', v.label);
  if (label !== undefined) o.pericardiumLabel = label;
  if (v.strict) o.strict = true;
  return o;
}

/** The flags that set measurement options, as `parseArgs` options (measure and batch take them). */
export const MEASURE_OPTION_FLAGS = {
  kvp: { type: 'string' },
  'fat-window': { type: 'string' },
  segment: { type: 'string', multiple: true },
  'wall-gap': { type: 'string' },
  'calcium-guard': { type: 'string' },
  'axial-slices': { type: 'string' },
  'axial-mm': { type: 'string' },
  label: { type: 'string' },
  strict: { type: 'boolean', default: false },
  'max-voxels': { type: 'string' },
  'max-points': { type: 'string' },
} as const;

/** The readers' budgets from --max-voxels and --max-points (absent: the defaults). */
export function readLimitsFrom(values: { 'max-voxels'?: string; 'max-points'?: string }): ReadLimits {
  const whole = (flag: 'max-voxels' | 'max-points'): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!(Number.isSafeInteger(n) && n > 0)) {
      throw new PerifatError('E_USAGE', `--${flag} expects a positive whole number, got "${text}"`);
    }
    return n;
  };
  const maxVoxels = whole('max-voxels');
  const maxPoints = whole('max-points');
  return {
    ...(maxVoxels !== undefined ? { maxVoxels } : {}),
    ...(maxPoints !== undefined ? { maxPoints } : {}),
  };
}

/** The centerline-derivation flags of `measure` and `centerlines`, as centerline-inputs.ts takes them. */
export function centerlineFlags(values: {
  'coronary-mask'?: string | undefined;
  aorta?: string | undefined;
  'coronary-labels'?: string | undefined;
  trace?: string[] | undefined;
}): { coronaryMask?: string; aorta?: string; coronaryLabels?: string; trace?: string[] } {
  return {
    ...(values['coronary-mask'] !== undefined ? { coronaryMask: values['coronary-mask'] } : {}),
    ...(values.aorta !== undefined ? { aorta: values.aorta } : {}),
    ...(values['coronary-labels'] !== undefined ? { coronaryLabels: values['coronary-labels'] } : {}),
    ...(values.trace !== undefined ? { trace: values.trace } : {}),
  };
}

/** `--runtime`: where WebGPU runs (measure, batch, centerlines). */
export const RUNTIME_FLAG = { runtime: { type: 'string', default: 'chromium' } } as const;
export const RUNTIME_USAGE = `  --runtime R            where WebGPU runs: chromium (headless Chromium, default) or node (Dawn in
                         this process through the optional npm package webgpu; no browser)`;

export function runtimeFrom(v: { runtime?: string | undefined }): RuntimeChoice {
  const r = v.runtime ?? 'chromium';
  if (r !== 'chromium' && r !== 'node')
    throw new PerifatError('E_USAGE', `--runtime must be chromium or node, got "${r}"`);
  return r;
}
