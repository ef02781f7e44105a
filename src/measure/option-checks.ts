/**
 * The shape of a measurement's options as a caller hands them in (a web app's object, not the
 * CLI's parsed flags): every key known, every value of its type, the fat window ordered. Anything
 * else is E_OPTIONS naming the option, before any work: a typo such as `fatWindow` would otherwise
 * measure with the default window and say nothing.
 */
import { PerifatError } from '../errors';

/** MeasureOptions' keys (options.ts imports this module, so they are spelled here). */
const KNOWN: readonly string[] = [
  'window',
  'segmentsMm',
  'wallGapMm',
  'calciumGuardMm',
  'calciumHu',
  'kvp',
  'kvpFactors',
  'axialLimits',
  'flags',
  'pericardiumLabel',
  'strict',
];

/** What callers coming from the CLI's flags tend to write instead. */
const ALIASES: Readonly<Record<string, string>> = {
  fatWindow: 'window',
  'fat-window': 'window',
  segments: 'segmentsMm',
  wallGap: 'wallGapMm',
  'wall-gap': 'wallGapMm',
  calciumGuard: 'calciumGuardMm',
  'calcium-guard': 'calciumGuardMm',
  label: 'pericardiumLabel',
  axial: 'axialLimits',
};

function bad(name: string, what: string): never {
  throw new PerifatError('E_OPTIONS', `option ${name}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Unknown keys of a measurement's options (the engine's own keys, `extra`, allowed too). */
export function checkOptionKeys(o: object, extra: readonly string[] = []): void {
  for (const k of Object.keys(o)) {
    if (KNOWN.includes(k) || extra.includes(k)) continue;
    const alias = ALIASES[k];
    bad(k, `unknown option${alias ? ` (did you mean ${alias}?)` : ''}; known: ${[...KNOWN, ...extra].join(', ')}`);
  }
}

/** The merged options as they may arrive from JavaScript: any value under MeasureOptions' keys. */
interface Unchecked {
  readonly window: unknown;
  readonly segmentsMm: unknown;
  readonly wallGapMm: unknown;
  readonly calciumGuardMm: unknown;
  readonly calciumHu: unknown;
  readonly kvp: unknown;
  readonly kvpFactors: unknown;
  readonly axialLimits: unknown;
  readonly flags: unknown;
  readonly pericardiumLabel: unknown;
  readonly strict: unknown;
}

/** Types and order of the merged options (ranges are validateOptions'). */
export function checkOptionShapes(o: Unchecked): void {
  const w = o.window;
  if (!isObject(w) || !finite(w['lo']) || !finite(w['hi']))
    bad('window', `must be { lo, hi } in HU, got ${JSON.stringify(w)}`);
  if (!Number.isInteger(w['lo']) || !Number.isInteger(w['hi']))
    bad('window', `lo and hi must be integer HU, got [${w['lo']}, ${w['hi']}]`);
  if (w['lo'] > w['hi']) bad('window', `lo ${w['lo']} is above hi ${w['hi']}`);
  for (const k of ['wallGapMm', 'calciumHu'] as const)
    if (!finite(o[k])) bad(k, `must be a number, got ${String(o[k])}`);
  for (const k of ['calciumGuardMm', 'kvp'] as const)
    if (o[k] !== null && !finite(o[k])) bad(k, `must be a number or null, got ${String(o[k])}`);
  if (!isObject(o.segmentsMm)) bad('segmentsMm', 'must be { vesselName: [startMm, endMm] }');
  for (const [name, seg] of Object.entries(o.segmentsMm))
    if (!Array.isArray(seg) || seg.length !== 2 || !seg.every(finite))
      bad('segmentsMm', `${name} must be [startMm, endMm], got ${JSON.stringify(seg)}`);
  if (!isObject(o.kvpFactors)) bad('kvpFactors', 'must be { kVp: factor }');
  for (const [kv, f] of Object.entries(o.kvpFactors))
    if (!finite(Number(kv)) || !finite(f) || f <= 0) bad('kvpFactors', `${kv}: ${String(f)} is not a positive factor`);
  const ax = o.axialLimits;
  if (ax !== null) {
    if (!isObject(ax) || (ax['unit'] !== 'slice' && ax['unit'] !== 'mm') || !finite(ax['from']) || !finite(ax['to']))
      bad('axialLimits', `must be null or { unit: 'slice' | 'mm', from, to }, got ${JSON.stringify(ax)}`);
    if (ax['from'] > ax['to']) bad('axialLimits', `from ${ax['from']} is above to ${ax['to']}`);
  }
  if (o.pericardiumLabel !== null && !Number.isInteger(o.pericardiumLabel))
    bad('pericardiumLabel', `must be null or a label 1–255, got ${String(o.pericardiumLabel)}`);
  if (typeof o.strict !== 'boolean') bad('strict', `must be true or false, got ${String(o.strict)}`);
  if (!Array.isArray(o.flags)) bad('flags', 'must be an array of flag rules');
  for (const f of o.flags as readonly unknown[])
    if (
      !isObject(f) ||
      typeof f['id'] !== 'string' ||
      !finite(f['threshold']) ||
      typeof f['source'] !== 'string' ||
      (f['appliesTo'] !== 'vessel' && f['appliesTo'] !== 'lesion')
    )
      bad('flags', `each rule needs id, threshold, source, appliesTo 'vessel' | 'lesion'; got ${JSON.stringify(f)}`);
}
