/** Typed access to a naturalized DICOM dataset (dcmjs gives numbers, strings, arrays or nothing). */
import type { Vec3 } from '../volume/geometry';

export type Dataset = Readonly<Record<string, unknown>>;

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** A finite number (DS/IS strings are parsed), or null. */
export function num(ds: Dataset, key: string): number | null {
  const v = first(ds[key]);
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(x) ? x : null;
}

/** Whether the element is present with a value (finite or not). */
export function has(ds: Dataset, key: string): boolean {
  const v = ds[key];
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

export function nums(ds: Dataset, key: string, n: number): number[] | null {
  const v = ds[key];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  if (arr.length < n) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = arr[i];
    const x = typeof e === 'number' ? e : typeof e === 'string' ? Number(e) : NaN;
    if (!Number.isFinite(x)) return null;
    out.push(x);
  }
  return out;
}

export function vec3(ds: Dataset, key: string): Vec3 | null {
  const v = nums(ds, key, 3);
  return v === null ? null : [v[0] as number, v[1] as number, v[2] as number];
}

export function str(ds: Dataset, key: string): string | null {
  const v = ds[key];
  if (typeof v === 'string') return v.replace(/\0/g, '').trim();
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('\\').replace(/\0/g, '').trim();
  if (typeof v === 'number') return String(v);
  return null;
}

/** First item of a sequence, or null. */
export function item(ds: Dataset, key: string): Dataset | null {
  const v = ds[key];
  const it = Array.isArray(v) ? v[0] : v;
  return typeof it === 'object' && it !== null && !(it instanceof ArrayBuffer) ? (it as Dataset) : null;
}

export function items(ds: Dataset, key: string): Dataset[] {
  const v = ds[key];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.filter((x): x is Dataset => typeof x === 'object' && x !== null && !(x instanceof ArrayBuffer));
}
