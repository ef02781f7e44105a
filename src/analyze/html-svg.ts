/**
 * Box and strip plot of a marker by group as inline SVG (uPlot draws lines and points on
 * an x axis, not boxes): box = quartiles, line = median, whiskers to the furthest value within
 * 1.5 IQR, every case a dot (jittered deterministically), dashed line = the Youden cut-off.
 */
import { quantile } from './describe';
import { esc, num } from './html-text';

export interface StripGroup {
  label: string;
  values: readonly number[];
  color: string;
}

function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; digits: number } {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  // As many decimals as the step needs, so neighbouring ticks never read the same.
  return { ticks, digits: Math.max(0, Math.ceil(-Math.log10(step) + 1e-9)) + (step / mag === 2.5 ? 1 : 0) };
}

/** A small deterministic jitter in [−1, 1] (the same page for the same data). */
const jitter = (i: number): number => (((i * 2654435761) >>> 0) / 2 ** 32) * 2 - 1;

export function boxStripSvg(title: string, groups: readonly StripGroup[], cutoff: number | null, unit: string): string {
  const W = 300;
  const H = 260;
  const left = 52;
  const right = 12;
  const top = 28;
  const bottom = 36;
  const all = groups.flatMap((g) => g.values);
  let lo = Math.min(...all, ...(cutoff !== null ? [cutoff] : []));
  let hi = Math.max(...all, ...(cutoff !== null ? [cutoff] : []));
  const pad = (hi - lo || 1) * 0.06;
  lo -= pad;
  hi += pad;
  const y = (v: number): number => top + ((hi - v) / (hi - lo)) * (H - top - bottom);
  const slot = (W - left - right) / groups.length;
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" class="t">${esc(title)}</text>`);
  const axis = niceTicks(lo, hi);
  for (const t of axis.ticks) {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, axis.digits)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(12 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(unit)}</text>`,
  );
  groups.forEach((g, k) => {
    const cx = left + slot * (k + 0.5);
    const bw = Math.min(60, slot * 0.45);
    if (g.values.length > 0) {
      const q1 = quantile(g.values, 0.25);
      const q3 = quantile(g.values, 0.75);
      const med = quantile(g.values, 0.5);
      const iqr = q3 - q1;
      const wlo = Math.min(...g.values.filter((v) => v >= q1 - 1.5 * iqr));
      const whi = Math.max(...g.values.filter((v) => v <= q3 + 1.5 * iqr));
      parts.push(
        `<line x1="${cx}" x2="${cx}" y1="${y(whi).toFixed(1)}" y2="${y(q3).toFixed(1)}" stroke="${g.color}"/>`,
        `<line x1="${cx}" x2="${cx}" y1="${y(q1).toFixed(1)}" y2="${y(wlo).toFixed(1)}" stroke="${g.color}"/>`,
        `<rect x="${cx - bw / 2}" y="${y(q3).toFixed(1)}" width="${bw}" height="${Math.max(1, y(q1) - y(q3)).toFixed(1)}" fill="${g.color}" fill-opacity="0.12" stroke="${g.color}"/>`,
        `<line x1="${cx - bw / 2}" x2="${cx + bw / 2}" y1="${y(med).toFixed(1)}" y2="${y(med).toFixed(1)}" stroke="${g.color}" stroke-width="2"/>`,
      );
      g.values.forEach((v, i) => {
        parts.push(
          `<circle cx="${(cx + jitter(i + 7 * k) * bw * 0.42).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.6" fill="${g.color}" fill-opacity="0.65"/>`,
        );
      });
    }
    parts.push(
      `<text x="${cx}" y="${H - bottom + 16}" text-anchor="middle">${esc(g.label)} (n=${g.values.length})</text>`,
    );
  });
  if (cutoff !== null) {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(cutoff).toFixed(1)}" y2="${y(cutoff).toFixed(1)}" class="cut"/>`,
      `<text x="${W - right}" y="${(y(cutoff) - 4).toFixed(1)}" text-anchor="end" class="cutl">Youden ${num(cutoff, 2)}</text>`,
    );
  }
  return `<svg class="box" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}
