/** The results table: EAT, each vessel's FAI and its cut-off flags, and the report's warnings. */
import type { Report } from '../src/api/index';

const hu = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(1));
const num = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '—' : x.toFixed(digits);

function table(el: HTMLTableElement, caption: string, head: string[], rows: string[][]): void {
  const cap = document.createElement('caption');
  cap.textContent = caption;
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    tr.append(th);
  }
  thead.append(tr);
  const tbody = document.createElement('tbody');
  for (const r of rows) {
    const row = document.createElement('tr');
    r.forEach((c, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      cell.textContent = c;
      row.append(cell);
    });
    tbody.append(row);
  }
  el.replaceChildren(cap, thead, tbody);
}

export function showResults(
  report: Report,
  els: { eat: HTMLTableElement; vessels: HTMLTableElement; warnings: HTMLUListElement; backend: HTMLElement },
): void {
  const b = report.backend;
  const adapter = b.adapter
    ? ` (${[b.adapter.vendor, b.adapter.architecture].filter(Boolean).join(' ')}${b.adapter.isFallback ? ', software' : ''})`
    : '';
  els.backend.textContent = `Measured on ${b.api === 'webgpu' ? 'WebGPU' : 'the CPU backend'}${adapter} in ${Math.round(report.timingsMs['total'] ?? 0)} ms.${b.selection ? ` ${b.selection}.` : ''}`;
  const e = report.eat;
  table(
    els.eat,
    'Epicardial adipose tissue',
    ['', 'volume (mL)', 'mean HU', 'mean HU at 120 kVp', 'SD', 'median [IQR]', 'fat voxels'],
    e
      ? [
          [
            'EAT',
            num(e.volumeMl),
            hu(e.meanHu),
            hu(e.meanHu120),
            hu(e.sdHu),
            `${hu(e.medianHu)} [${hu(e.p25Hu)}, ${hu(e.p75Hu)}]`,
            String(e.fatVoxels),
          ],
        ]
      : [['EAT', 'no pericardium mask', '', '', '', '', '']],
  );
  table(
    els.vessels,
    'Pericoronary fat attenuation (FAI)',
    [
      'vessel',
      'segment (mm)',
      'FAI (HU)',
      'FAI at 120 kVp',
      'fat / VOI voxels',
      'VPCI (%)',
      'near / remote HU',
      'flags',
    ],
    report.vessels.map((v) => [
      v.name,
      `${v.segmentMm[0]}–${v.segmentMm[1]}`,
      hu(v.faiHu),
      hu(v.faiHu120),
      `${v.fatVoxels} / ${v.voiVoxels}`,
      num(v.vpci),
      `${hu(v.nearHu)} / ${hu(v.remoteHu)}`,
      v.flags.length
        ? v.flags.map((f) => `${f.id}: ${f.value.toFixed(1)} vs ${f.threshold} (${f.source})`).join('; ')
        : 'none',
    ]),
  );
  els.warnings.replaceChildren(
    ...report.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }),
  );
}

/** How the report's centerlines were derived (from a coronary mask, or traced) and the derivation's warnings. */
export function showCenterlines(
  report: Report,
  els: { box: HTMLElement; how: HTMLElement; warnings: HTMLUListElement },
): void {
  const c = report.centerlines;
  els.box.hidden = !c;
  if (!c) {
    els.warnings.replaceChildren();
    return;
  }
  const names = c.vessels.vessels.map((v) => v.name).join(', ') || 'no vessel';
  const ostia = c.ostia.map((o) => `${o.side} (${o.from})`).join(', ');
  els.how.textContent = `${c.method === 'mask' ? 'From the coronary mask' : 'Traced on the CT'}: ${names}${ostia ? `; ostia ${ostia}` : ''}. ${
    c.warnings.length ? `${c.warnings.length} warning${c.warnings.length > 1 ? 's' : ''}:` : 'No warnings.'
  }`;
  els.warnings.replaceChildren(
    ...c.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = `${w.vessel ? `${w.vessel}: ` : ''}${w.message} (${w.code})`;
      return li;
    }),
  );
}
