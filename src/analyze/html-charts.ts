/**
 * The uPlot charts of the report as plain data: x values shared by every series (uPlot's aligned
 * mode), null where a series has no point, so the page script only hands them to uPlot.
 */
import type { RocPoint } from './roc';
import type { Profile } from './types';

export const PALETTE = ['#1f6fb4', '#d1495b', '#2a9d8f', '#e9a03b', '#6c4ab6', '#7a7a7a', '#00798c', '#b5651d'];

export interface ChartSeries {
  label: string;
  color: string;
  /** Lines between points (ROC, profile) or points only (scatter). */
  line: boolean;
  points: boolean;
  dash?: number[];
  /** A band's edge: drawn invisibly, the band fills between two of them. */
  edge?: boolean;
}

export interface Chart {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  data: (number | null)[][];
  series: ChartSeries[];
  /** Pairs of series indices (1-based, as uPlot) whose area between is filled. */
  bands: { upper: number; lower: number; color: string }[];
  xRange: [number, number] | null;
  yRange: [number, number] | null;
}

/** ROC curves of several markers on one chart, and the chance diagonal. */
export function rocChart(
  id: string,
  title: string,
  curves: readonly { label: string; roc: readonly RocPoint[] }[],
): Chart {
  const pts: { x: number; y: number; s: number }[] = [];
  curves.forEach((c, s) => {
    for (const p of c.roc) pts.push({ x: 1 - p.specificity, y: p.sensitivity, s });
  });
  // Along x, then up: each curve's own points stay in its order (a ROC never goes back).
  pts.sort((a, b) => a.x - b.x || a.y - b.y || a.s - b.s);
  const xs = pts.map((p) => p.x);
  const cols = curves.map((_, s) => pts.map((p) => (p.s === s ? p.y : null)));
  const diag = pts.map((p, i) => (i === 0 || i === pts.length - 1 ? p.x : null));
  return {
    id,
    title,
    xLabel: '1 − specificity',
    yLabel: 'sensitivity',
    data: [xs, ...cols, diag],
    series: [
      ...curves.map((c, s) => ({
        label: c.label,
        color: PALETTE[s % PALETTE.length] as string,
        line: true,
        points: false,
      })),
      { label: 'chance', color: '#999999', line: true, points: false, dash: [4, 4] },
    ],
    bands: [],
    xRange: [0, 1],
    yRange: [0, 1],
  };
}

/** Mean fat HU per ring by group, each with its 95 % band. */
export function profileChart(id: string, title: string, p: Profile): Chart {
  const k = Math.max(0, ...p.groups.map((g) => g.rings.length));
  const xs = Array.from({ length: k }, (_, i) => {
    const r = p.groups.find((g) => g.rings[i])?.rings[i];
    return r ? (r.innerMm + r.outerMm) / 2 : i + 0.5;
  });
  const data: (number | null)[][] = [xs];
  const series: ChartSeries[] = [];
  const bands: Chart['bands'] = [];
  p.groups.forEach((g, s) => {
    const color = PALETTE[s % PALETTE.length] as string;
    data.push(xs.map((_, i) => g.rings[i]?.mean ?? null));
    series.push({ label: `${g.label} (n=${g.cases})`, color, line: true, points: true });
    data.push(xs.map((_, i) => g.rings[i]?.ci95?.[1] ?? null));
    data.push(xs.map((_, i) => g.rings[i]?.ci95?.[0] ?? null));
    series.push({ label: `${g.label} 95 % CI`, color, line: false, points: false, edge: true });
    series.push({ label: `${g.label} 95 % CI`, color, line: false, points: false, edge: true });
    bands.push({ upper: series.length - 1, lower: series.length, color });
  });
  return {
    id,
    title,
    xLabel: 'distance from the vessel wall (mm)',
    yLabel: 'mean fat HU',
    data,
    series,
    bands,
    xRange: [0, 20],
    yRange: null,
  };
}

/** Marker against a continuous outcome, one point per case. */
export function scatterChart(
  id: string,
  title: string,
  xLabel: string,
  yLabel: string,
  x: readonly number[],
  y: readonly number[],
): Chart {
  const order = x.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  return {
    id,
    title,
    xLabel,
    yLabel,
    data: [order.map((i) => x[i] as number), order.map((i) => y[i] as number)],
    series: [{ label: yLabel, color: PALETTE[0] as string, line: false, points: true }],
    bands: [],
    xRange: null,
    yRange: null,
  };
}
