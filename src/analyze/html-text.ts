/** Text and numbers for the HTML report: file text escaped (control characters and HTML), numbers rounded for reading. */
import { safeText } from '../util/safe-text';

export function esc(s: string): string {
  return safeText(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function num(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  // An odds ratio per 10 HU of a marker that hardly varies can be astronomic: keep it readable.
  return Math.abs(x) >= 1e5 ? x.toExponential(2) : x.toFixed(digits);
}

export function pval(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

export function ci(c: readonly [number, number] | null | undefined, digits: number): string {
  return c ? `${num(c[0], digits)}–${num(c[1], digits)}` : '—';
}

/** A proportion with its interval, e.g. "0.634 (0.481–0.764)". */
export function prop(v: number | null, c: readonly [number, number] | null): string {
  return v === null ? '—' : `${num(v, 3)} (${ci(c, 3)})`;
}
