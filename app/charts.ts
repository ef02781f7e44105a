/** The radial attenuation profile per vessel and the EAT HU histogram, drawn with uPlot. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Report } from '../src/api/index';
import { vesselColour } from './palette';

const charts: uPlot[] = [];

function width(el: HTMLElement): number {
  return Math.max(320, Math.min(720, el.clientWidth || 640));
}

export function clearCharts(): void {
  for (const c of charts.splice(0)) c.destroy();
}

/** Mean HU of each 1 mm ring (0–20 mm from the wall), one line per vessel; fat voxels in the legend. */
export function profileChart(el: HTMLElement, report: Report): void {
  // Each vessel keeps the colour of its index in the report (as in the slice view).
  const vessels = report.vessels.map((v, index) => ({ ...v, index })).filter((v) => v.rings.length);
  if (!vessels.length) {
    el.textContent = 'No vessels measured (no centerlines).';
    return;
  }
  el.textContent = '';
  const first = vessels[0] as (typeof vessels)[number];
  const xs = first.rings.map((r) => (r.innerMm + r.outerMm) / 2);
  const data: uPlot.AlignedData = [xs, ...vessels.map((v) => v.rings.map((r) => r.meanHu))];
  const series: uPlot.Series[] = [
    { label: 'distance from wall (mm)' },
    ...vessels.map((v) => ({
      label: `${v.name} (${v.rings.reduce((s, r) => s + r.fatVoxels, 0)} fat voxels)`,
      stroke: vesselColour(v.index).hex,
      width: 2,
      points: { show: true, size: 5 },
      value: (_u: uPlot, y: number | null) => (y === null ? '—' : `${y.toFixed(1)} HU`),
    })),
  ];
  charts.push(
    new uPlot(
      {
        width: width(el),
        height: 260,
        scales: { x: { time: false } },
        axes: [{ label: 'distance from the vessel wall (mm)' }, { label: 'mean HU of fat in the ring' }],
        series,
      },
      data,
      el,
    ),
  );
}

/** Voxel counts of each HU in the fat window over the EAT. */
export function histogramChart(el: HTMLElement, counts: number[], lo: number): void {
  if (!counts.some((c) => c > 0)) {
    el.textContent = 'No EAT (no pericardium mask, or no fat inside it).';
    return;
  }
  el.textContent = '';
  const xs = counts.map((_, i) => lo + i);
  charts.push(
    new uPlot(
      {
        width: width(el),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'HU' }, { label: 'EAT voxels' }],
        series: [
          { label: 'HU' },
          {
            label: 'EAT voxels',
            stroke: '#d94801',
            fill: 'rgba(217, 72, 1, 0.35)',
            paths: uPlot.paths.bars?.({ size: [1, Infinity] }),
            points: { show: false },
          },
        ],
      },
      [xs, counts],
      el,
    ),
  );
}
