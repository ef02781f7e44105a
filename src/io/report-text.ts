/**
 * The short human-readable summary printed on the terminal. Every text that came from an input
 * (case id, vessel names, warnings) goes through safeText: no file can forge a line or drive the terminal.
 */
import type { Report } from '../measure/report-types';
import { safeText as t } from '../util/safe-text';

const f = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? '—' : x.toFixed(d));

export function reportSummary(r: Report): string {
  const lines: string[] = [];
  const adapter = r.backend.adapter ? ` (${r.backend.adapter.vendor} ${r.backend.adapter.architecture})` : '';
  lines.push(
    `perifat · ${t(r.input.ct)} · ${r.input.dims.join('×')} @ ${r.input.spacingMm.map((s) => s.toFixed(2)).join('×')} mm · ` +
      `${r.input.kvp ?? '?'} kVp · ${r.backend.api}/${r.backend.runtime}${adapter} · ${f(r.timingsMs['total'], 0)} ms`,
  );
  if (r.eat) {
    const e = r.eat;
    lines.push(
      `EAT   volume ${f(e.volumeMl)} mL  mean ${f(e.meanHu)} HU (120 kVp: ${f(e.meanHu120)})  SD ${f(e.sdHu)}  ` +
        `median ${f(e.medianHu)} [${f(e.p25Hu)}, ${f(e.p75Hu)}]  range ${f(e.minHu, 0)}…${f(e.maxHu, 0)}  ${e.fatVoxels} fat voxels`,
    );
  } else {
    lines.push('EAT   — (no pericardium mask)');
  }
  for (const v of r.vessels) {
    const flags = v.flags.length ? `  ⚑ ${v.flags.map((x) => x.id).join(', ')}` : '';
    lines.push(
      `${t(v.name).padEnd(5)} FAI ${f(v.faiHu)} HU (120 kVp: ${f(v.faiHu120)})  ${v.segmentMm[0]}–${f(v.segmentMm[1], 0)} mm  ` +
        `fat ${v.fatVoxels}/${v.voiVoxels} voxels  VPCI ${f(v.vpci)}  near ${f(v.nearHu)} / remote ${f(v.remoteHu)} HU${flags}`,
    );
  }
  for (const l of r.lesions) {
    const flags = l.flags.length ? `  ⚑ ${l.flags.map((x) => x.id).join(', ')}` : '';
    lines.push(
      `lesion ${t(l.vessel)} ${l.startMm}–${l.endMm} mm  FAI ${f(l.faiHu)} HU  ${l.fatVoxels}/${l.voiVoxels} voxels${flags}`,
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${t(w)}`);
  return lines.join('\n');
}
