/**
 * Coronary centerlines traced on the CT itself from a few clicked points (ostium, waypoints, distal
 * end), for cases that come with no centerline file and no lumen mask. Each pair of consecutive
 * points is joined by a minimal path through the contrast lumen; the path is centred, smoothed,
 * resampled and given radii from its cross-sections. Every decision that could be wrong (a click
 * moved into the lumen, a stretch outside it) is a warning in the result.
 */
import type { EdtFn } from './from-mask';
import { PerifatError } from '../errors';
import type { Vec3 } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';
import { arcLengths, type Vessel } from '../volume/vessels';
import type { CenterlineWarning, DerivedCenterlines } from './types';
import { CALCIUM_HU, clickLumen, type ClickLumen } from './trace-levels';
import { minimalPath } from './trace-path';
import { refineCenterline } from './trace-refine';
import { calciumLevel, huSampler } from './trace-sample';
import type { TraceRequest } from './trace-spec';

export { parseTraceSpec, type TraceRequest } from './trace-spec';

export interface TraceOptions {
  /** The exact EDT (src/kernels/edt), injected: the CPU twin or the GPU kernel, identical results. */
  edt: EdtFn;
  signal?: AbortSignal;
  /** Largest spacing (mm) of the output points (default 0.5). */
  stepMm?: number;
}

/** A stretch off the lumen longer than this (mm) is reported. */
const LEAVE_MM = 3;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function sideOf(name: string): 'right' | 'left' | 'unknown' {
  if (/^(RCA|R|PDA|RPDA|RPL|AM\d*)$/i.test(name)) return 'right';
  if (/^(LM|LMCA|LAD|LCX|CX|RI|IM|OM\d*|D\d*|LPDA|LPL)$/i.test(name)) return 'left';
  return 'unknown';
}

function checkRequests(requests: readonly TraceRequest[], stepMm: number): void {
  const bad = (m: string): PerifatError => new PerifatError('E_OPTIONS', `trace: ${m}`);
  if (!(stepMm > 0 && stepMm <= 5)) throw bad(`stepMm must be in (0, 5] mm, got ${stepMm}`);
  if (requests.length === 0) throw bad('no vessel to trace');
  const names = new Set<string>();
  for (const r of requests) {
    if (names.has(r.name)) throw bad(`vessel ${r.name} is given twice`);
    names.add(r.name);
    if (r.points.length < 2) throw bad(`${r.name} needs at least 2 points, got ${r.points.length}`);
    if (!r.points.every((p) => p.length === 3 && p.every(Number.isFinite)))
      throw bad(`${r.name} has a point that is not three finite numbers`);
  }
}

/** Traces every requested vessel; E_CENTERLINE when a point is off the volume or off any lumen. */
export async function traceCenterlines(
  ct: CtVolume,
  requests: TraceRequest[],
  opts: TraceOptions,
): Promise<DerivedCenterlines> {
  const stepMm = opts.stepMm ?? 0.5;
  checkRequests(requests, stepMm);
  const t0 = performance.now();
  const sample = huSampler(ct);
  const warnings: CenterlineWarning[] = [];
  const vessels: Vessel[] = [];
  const ostia: DerivedCenterlines['ostia'][number][] = [];
  const stats: Record<string, number> = { stepMm, cropVoxels: 0, visitedVoxels: 0 };
  const spacingMm = Math.max(...ct.spacing);
  for (const req of requests) {
    // Yield between vessels, so a caller's abort (a timer, a UI) gets its turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (opts.signal?.aborted) throw new PerifatError('E_ABORTED', 'centerline tracing cancelled');
    const clicks: ClickLumen[] = req.points.map((p, n) => clickLumen(ct, req.name, n + 1, p, warnings));
    const raw: Vec3[] = [];
    for (let n = 1; n < clicks.length; n++) {
      const a = clicks[n - 1] as ClickLumen;
      const b = clicks[n] as ClickLumen;
      // The dimmer click's boundary, so a lumen fading distally stays lumen; contrast as lumen − background.
      const level = Math.min(a.level, b.level);
      const contrast = 2 * (Math.max(a.lumenHu, b.lumenHu) - level);
      const path = await minimalPath(
        ct,
        a.point,
        b.point,
        { level, contrast, calciumHu: calciumLevel(level, contrast, CALCIUM_HU) },
        { edt: opts.edt, signal: opts.signal, label: `${req.name} points ${n}–${n + 1}` },
      );
      stats.cropVoxels = (stats.cropVoxels as number) + path.cropVoxels;
      stats.visitedVoxels = (stats.visitedVoxels as number) + path.visited;
      // The clicked points themselves, not their voxel centres, join the pieces.
      if (n === 1) raw.push(a.point);
      raw.push(...path.points.slice(1, -1), b.point);
    }
    const lumen = {
      lumenHu: median(clicks.map((c) => c.lumenHu)),
      backgroundHu: median(clicks.map((c) => c.backgroundHu)),
      minLevel: Math.min(...clicks.map((c) => c.level)),
    };
    const refined = refineCenterline(sample, raw, lumen, spacingMm, stepMm);
    for (const [from, to] of refined.outside) {
      if (to - from <= LEAVE_MM) continue;
      warnings.push({
        code: 'path-leaves-lumen',
        vessel: req.name,
        message: `${req.name} runs outside the contrast lumen for ${(to - from).toFixed(1)} mm (${from.toFixed(1)}–${to.toFixed(1)} mm from the ostium); check the clicked points or add a waypoint`,
      });
    }
    vessels.push({ name: req.name, points: refined.points, radii: refined.radii });
    const first = refined.points[0] as Vec3;
    if (!ostia.some((o) => Math.hypot(o.point[0] - first[0], o.point[1] - first[1], o.point[2] - first[2]) < 1))
      ostia.push({ side: sideOf(req.name), point: first, from: 'click' });
    stats[`lumenHu.${req.name}`] = lumen.lumenHu;
    stats[`backgroundHu.${req.name}`] = lumen.backgroundHu;
    stats[`lengthMm.${req.name}`] = arcLengths(refined.points).at(-1) as number;
    stats[`radiiFilled.${req.name}`] = refined.radiiFilled;
  }
  stats.msTotal = performance.now() - t0;
  return { method: 'trace', vessels, ostia, warnings, stats };
}
