/**
 * Markers: any numeric field of a report, named as a user would say it.
 *   faiHu120:RCA, vpci:LAD, nearHu:LCx, rings.0.meanHu:RCA   a field of a vessel (name without regard to case)
 *   eat.meanHu, eat.volumeMl, input.kvp                     a field from the report's top
 *   lesion.faiHu:LAD, lesion.faiHu120:LAD#2                 the (k-th, from 1) lesion on a vessel
 *   rca_fai_hu, eat_mean_hu                                 a results.csv column (mapped to the field
 *                                                           above when it is one)
 * The same marker reads a JSON report or a results.csv row (the columns of src/io/report-csv.ts).
 */
import { PerifatError } from '../errors';
import { DEFAULT_FLAGS } from '../measure/options';
import { safeText } from '../util/safe-text';
import { numberCell } from './csv';
import type { ResultCase, ResultSet } from './results';

export interface Marker {
  /** Canonical name: used as the key in analysis.json. */
  id: string;
  scope: 'report' | 'vessel' | 'lesion' | 'column';
  /** Field path inside the scope's object. */
  path: string[];
  vessel: string | null;
  /** 1-based, for lesion markers. */
  lesionIndex: number;
  /** The results.csv column that holds it; null when only JSON reports have it. */
  column: string | null;
  /** A coronary FAI (RCA, LAD, LCx) in HU: METHOD.md §6's cut-offs apply ('vessel' or 'lesion' rules). */
  fai: 'vessel' | 'lesion' | null;
  /** 'HU' for attenuation fields (odds ratios per 10 HU), null for others (per unit). */
  unit: 'HU' | null;
}

/** Vessel fields that results.csv has (src/io/report-csv.ts VESSEL_FIELDS, numeric ones). */
const CSV_VESSEL_FIELDS = [
  'faiHu',
  'faiHu120',
  'sdHu',
  'medianHu',
  'fatVoxels',
  'voiVoxels',
  'fatFraction',
  'fatVolumeMl',
  'vpci',
  'nearHu',
  'remoteHu',
];
const CSV_EAT_FIELDS = [
  'volumeMl',
  'meanHu',
  'meanHu120',
  'sdHu',
  'medianHu',
  'p25Hu',
  'p75Hu',
  'minHu',
  'maxHu',
  'fatVoxels',
];
const CORONARY = ['RCA', 'LAD', 'LCX'];

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function usage(spec: string, why: string): never {
  throw new PerifatError('E_USAGE', `--marker "${safeText(spec)}": ${why}`);
}

function faiKind(scope: Marker['scope'], path: string[], vessel: string | null): Marker['fai'] {
  if (vessel === null || !CORONARY.includes(vessel.toUpperCase())) return null;
  if (path.length !== 1 || (path[0] !== 'faiHu' && path[0] !== 'faiHu120')) return null;
  return scope === 'vessel' ? 'vessel' : scope === 'lesion' ? 'lesion' : null;
}

function make(scope: Marker['scope'], path: string[], vessel: string | null, lesionIndex = 1): Marker {
  const field = path.join('.');
  let id: string;
  let column: string | null = null;
  if (scope === 'vessel') {
    id = `${field}:${vessel}`;
    if (path.length === 1 && CSV_VESSEL_FIELDS.includes(field))
      column = `${(vessel as string).toLowerCase()}_${snake(field)}`;
  } else if (scope === 'lesion') {
    id = `lesion.${field}:${vessel}${lesionIndex > 1 ? `#${lesionIndex}` : ''}`;
  } else if (scope === 'report') {
    id = field;
    if (path.length === 2 && path[0] === 'eat' && CSV_EAT_FIELDS.includes(path[1] as string))
      column = `eat_${snake(path[1] as string)}`;
    if (field === 'input.kvp') column = 'kvp';
  } else {
    id = field;
    column = field;
  }
  const last = path[path.length - 1] as string;
  const unit = /Hu(120)?$/.test(last) || /_hu(120)?$/.test(last) ? 'HU' : null;
  return { id, scope, path, vessel, lesionIndex, column, fai: faiKind(scope, path, vessel), unit };
}

/** A results.csv column name back to the report field it holds, when it is one. */
function fromColumn(col: string): Marker {
  const eat = /^eat_(.+)$/.exec(col);
  if (eat) {
    const f = CSV_EAT_FIELDS.find((x) => snake(x) === eat[1]);
    if (f) return make('report', ['eat', f], null);
  }
  const v = /^([a-z0-9]+)_(.+)$/.exec(col);
  if (v) {
    const f = CSV_VESSEL_FIELDS.find((x) => snake(x) === v[2]);
    const vessel = { rca: 'RCA', lad: 'LAD', lcx: 'LCx' }[v[1] as string];
    if (f && vessel) return make('vessel', [f], vessel);
  }
  return make('column', [col], null);
}

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

export function parseMarker(spec: string): Marker {
  const s = spec.trim();
  if (s === '') usage(spec, 'empty');
  const colon = s.indexOf(':');
  if (colon < 0) {
    if (!PATH.test(s)) usage(spec, 'expected FIELD:VESSEL, eat.FIELD, lesion.FIELD:VESSEL[#k] or a CSV column');
    // lower_snake names are results.csv columns; dotted or camelCase names are report fields.
    if (/^[a-z0-9_]+$/.test(s) && s.includes('_')) return fromColumn(s);
    if (s.startsWith('lesion.')) usage(spec, 'a lesion marker needs its vessel: lesion.FIELD:VESSEL');
    return make('report', s.split('.'), null);
  }
  const field = s.slice(0, colon);
  let vessel = s.slice(colon + 1);
  let index = 1;
  const hash = /^(.*)#(\d+)$/.exec(vessel);
  if (hash) {
    vessel = hash[1] as string;
    index = Number(hash[2]);
    if (!(index >= 1)) usage(spec, 'lesion numbers start at 1');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/.test(vessel)) usage(spec, 'the vessel name after ":" is empty or malformed');
  if (!PATH.test(field)) usage(spec, 'the field before ":" is malformed');
  if (field.startsWith('lesion.')) return make('lesion', field.slice(7).split('.'), vessel, index);
  if (hash) usage(spec, '#k numbers lesions: lesion.FIELD:VESSEL#k');
  return make('vessel', field.split('.'), vessel);
}

/** A value: a number, null (absent or missing), or text/objects where a number belongs. */
export type MarkerValue = { ok: true; value: number | null } | { ok: false; found: string };

function walk(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function judge(v: unknown): MarkerValue {
  if (v === null || v === undefined) return { ok: true, value: null };
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: true, value: null };
  return {
    ok: false,
    found: typeof v === 'string' ? `"${safeText(v).slice(0, 40)}"` : Array.isArray(v) ? 'a list' : typeof v,
  };
}

/** The object a marker's path starts from in a report (undefined: this case has no such vessel/lesion). */
function container(m: Marker, c: ResultCase): unknown {
  const r = c.report;
  if (!r) return undefined;
  if (m.scope === 'report') return r;
  const name = (m.vessel as string).toUpperCase();
  if (m.scope === 'vessel') return r.vessels.find((v) => v.name.toUpperCase() === name);
  if (m.scope === 'lesion') return r.lesions.filter((l) => l.vessel.toUpperCase() === name)[m.lesionIndex - 1];
  return undefined;
}

export function markerValue(m: Marker, c: ResultCase): MarkerValue {
  if (c.row) {
    const cell = c.row[m.column as string] ?? '';
    const n = numberCell(cell);
    return n === undefined ? { ok: false, found: `"${safeText(cell).slice(0, 40)}"` } : { ok: true, value: n };
  }
  return judge(walk(container(m, c), m.path));
}

/**
 * Checks a marker against the cohort before any statistics: a CSV must have its column, some
 * report must have its vessel and field (a typo is refused, not counted as missing values), and
 * every value must be a number or missing.
 */
export function checkMarker(m: Marker, set: ResultSet): void {
  if (set.kind === 'csv') {
    const header = Object.keys(set.cases[0]?.row ?? {});
    if (m.column === null || !header.includes(m.column)) {
      const why =
        m.column === null
          ? `${m.id} is in the JSON reports only (results.csv has no such column): give the reports folder`
          : `no column "${safeText(m.column)}" for marker ${m.id}`;
      throw new PerifatError('E_INPUT_FORMAT', why, { file: set.path });
    }
  } else {
    if (m.scope === 'column') {
      throw new PerifatError(
        'E_USAGE',
        `--marker ${m.id} names a CSV column, but the results are JSON reports (${safeText(set.path)})`,
      );
    }
    const holders = set.cases.filter((c) => container(m, c) !== undefined);
    if (holders.length === 0) {
      const what = m.scope === 'lesion' ? `a lesion #${m.lesionIndex} on ${m.vessel}` : `a vessel named ${m.vessel}`;
      throw new PerifatError('E_INPUT_VALUE', `marker ${m.id}: no report has ${what}`, { file: set.path });
    }
    if (holders.every((c) => walk(container(m, c), m.path) === undefined)) {
      throw new PerifatError('E_USAGE', `marker ${m.id}: no report has the field "${m.path.join('.')}" there`);
    }
  }
  for (const c of set.cases) {
    const v = markerValue(m, c);
    if (!v.ok) {
      const where =
        set.kind === 'csv' ? `column ${m.column}, case ${safeText(c.id)}` : `marker ${m.id}, case ${safeText(c.id)}`;
      throw new PerifatError('E_INPUT_FORMAT', `${where}: not a number (${v.found})`, { file: c.source });
    }
  }
}

/** The published cut-offs (METHOD.md §6, the engine's flag rules) that apply to a marker. */
export function publishedCutoffs(m: Marker): { id: string; cutoff: number; source: string }[] {
  if (m.fai === null) return [];
  return DEFAULT_FLAGS.filter((f) => f.appliesTo === m.fai).map((f) => ({
    id: f.id,
    cutoff: f.threshold,
    source: f.source,
  }));
}

/**
 * Markers when none is given: the coronary FAI of every standard vessel the cohort has (120 kVp
 * values when any case has them, which is what the published cut-offs are defined on) and the EAT
 * density.
 */
export function defaultMarkers(set: ResultSet): Marker[] {
  const present = (m: Marker): boolean =>
    set.cases.some((c) => {
      const v = markerValue(m, c);
      return v.ok && v.value !== null;
    });
  const pick = (a: Marker, b: Marker): Marker[] => (present(a) ? [a] : present(b) ? [b] : []);
  return [
    ...['RCA', 'LAD', 'LCx'].flatMap((v) => pick(make('vessel', ['faiHu120'], v), make('vessel', ['faiHu'], v))),
    ...pick(make('report', ['eat', 'meanHu120'], null), make('report', ['eat', 'meanHu'], null)),
  ];
}
