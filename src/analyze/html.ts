/**
 * analysis.html: one self-contained page (uPlot and its CSS inlined, the data embedded as JSON, a
 * Content-Security-Policy that allows no request) with, per outcome, the ROC curves, box/strip
 * plots by group, the radial profiles with 95 % bands, and tables holding every number of
 * analysis.json that a reader needs.
 */
import { createHash } from 'node:crypto';
import type { Accuracy } from './cutoff';
import type { LogisticFit } from './logistic';
import type { PlotAssets } from './html-assets';
import { type Chart, PALETTE, profileChart, rocChart, scatterChart } from './html-charts';
import { PAGE_SCRIPT } from './html-script';
import { boxStripSvg } from './html-svg';
import { ci, esc, num, prop, pval } from './html-text';
import type { Analysis, BinaryMarkerResult, BinaryOutcomeResult, CutoffResult } from './types';

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1240px; color: #1d1d1f; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin-top: 22px; } .muted { color: #666; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f4f5f7; } td:first-child, th:first-child { text-align: left; }
.tw { overflow-x: auto; } .charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.box text { font-size: 11px; fill: #333; } .box .t { font-size: 12px; font-weight: 600; }
.box .grid { stroke: #eee; } .box .cut { stroke: #333; stroke-dasharray: 5 4; } .box .cutl { fill: #333; }
.legend { font-size: 12px; max-width: 560px; } .legend span { margin-right: 14px; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.warn { background: #fff7e0; border-left: 3px solid #e9a03b; padding: 6px 10px; margin: 4px 0; }
`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<div class="tw"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function orText(fit: LogisticFit | null): string {
  if (fit === null) return '—';
  if (!fit.estimable) return `n/e (${esc(fit.reason.split(':')[0] as string)})`;
  const t = fit.terms[0];
  return t ? `${num(t.oddsRatio, 2)} (${ci(t.oddsRatioCi95, 2)}) per ${t.per}, p ${pval(t.p)}` : '—';
}

function accRow(label: string, a: Accuracy, extra: string[] = []): string[] {
  return [
    label,
    ...extra,
    `${a.rule === '>=' ? '≥' : '≤'} ${num(a.cutoff, 2)}`,
    `${a.tp}/${a.fp}/${a.tn}/${a.fn}`,
    prop(a.sensitivity, a.sensitivityCi95),
    prop(a.specificity, a.specificityCi95),
    prop(a.ppv, a.ppvCi95),
    prop(a.npv, a.npvCi95),
    num(a.youdenJ, 3),
  ];
}

const ACC_HEAD = ['cut-off', 'TP/FP/TN/FN', 'sensitivity (95 % CI)', 'specificity', 'PPV', 'NPV', 'Youden J'];

function binarySection(
  name: string,
  o: BinaryOutcomeResult,
  k: number,
  charts: Chart[],
  units: ReadonlyMap<string, string>,
): string {
  const ms = Object.entries(o.markers);
  const out: string[] = [];
  out.push(`<h2>Outcome <code>${esc(name)}</code>: “${esc(o.positive)}” (positive) vs “${esc(o.negative)}”</h2>`);
  const rocId = `roc-${k}`;
  charts.push(
    rocChart(
      rocId,
      `ROC · ${name}`,
      ms.map(([m, r]) => ({ label: `${m} (AUC ${num(r.auc, 3)})`, roc: r.roc })),
    ),
  );
  const boxes = ms.map(([m, r]) =>
    boxStripSvg(
      m,
      [
        { label: o.positive, values: r.values.positive, color: PALETTE[1] as string },
        { label: o.negative, values: r.values.negative, color: PALETTE[0] as string },
      ],
      r.youden.cutoff,
      units.get(m) ?? m,
    ),
  );
  const profileIds = o.profiles.map((p, j) => {
    const id = `profile-${k}-${j}`;
    charts.push(profileChart(id, `Radial profile · ${p.vessel} · ${name}`, p));
    return id;
  });
  out.push(
    `<div class="charts"><div id="${rocId}" class="chart"></div>${profileIds.map((id) => `<div id="${id}" class="chart"></div>`).join('')}</div>`,
  );
  out.push('<h3>Discrimination: AUC (DeLong) and the Youden-optimal cut-off</h3>');
  out.push(
    table(
      ['marker', 'n (pos/neg)', 'excluded', 'AUC (95 % CI)', 'direction', ...ACC_HEAD],
      ms.map(([m, r]) =>
        accRow(esc(m), r.youden, [
          `${r.n} (${r.nPositive}/${r.nNegative})`,
          String(r.excluded.missingMarker.length + r.excluded.missingOutcome.length),
          `${num(r.auc, 3)} (${ci(r.aucCi95, 3)})`,
          `${r.direction === 'higher' ? 'higher' : 'lower'} = positive${r.directionFrom === 'auto' ? ' (auto)' : ''}`,
        ]),
      ),
    ),
  );
  const cut = ms.flatMap(([m, r]) => [
    ...r.published.map((c: CutoffResult) => accRow(esc(m), c, [`${esc(c.id)} — ${esc(c.source)}`])),
    ...r.user.map((c) => accRow(esc(m), c, ['given (--cutoff)'])),
  ]);
  if (cut.length > 0) {
    out.push('<h3>Published (METHOD.md §6) and given cut-offs</h3>');
    out.push(table(['marker', 'cut-off from', ...ACC_HEAD], cut));
  }
  out.push('<h3>Groups</h3>');
  out.push(`<div class="charts">${boxes.join('')}</div>`);
  out.push(
    table(
      [
        'marker',
        `${esc(o.positive)}: mean ± SD`,
        'median [IQR]',
        `${esc(o.negative)}: mean ± SD`,
        'median [IQR]',
        'difference (95 % CI)',
        'Welch t (df), p',
        'Mann–Whitney U, p',
        'OR per 10 (unadjusted)',
        'OR per 10 (adjusted)',
      ],
      ms.map(([m, r]: [string, BinaryMarkerResult]) => {
        const g = r.groups;
        return [
          esc(m),
          `${num(g.positive.mean, 2)} ± ${num(g.positive.sd, 2)}`,
          `${num(g.positive.median, 2)} [${num(g.positive.q1, 2)}, ${num(g.positive.q3, 2)}]`,
          `${num(g.negative.mean, 2)} ± ${num(g.negative.sd, 2)}`,
          `${num(g.negative.median, 2)} [${num(g.negative.q1, 2)}, ${num(g.negative.q3, 2)}]`,
          `${num(r.welch.meanDiff, 2)} (${ci(r.welch.meanDiffCi95, 2)})`,
          `${num(r.welch.t, 2)} (${num(r.welch.df, 1)}), ${pval(r.welch.p)}`,
          `${num(r.mannWhitney.u, 1)}, ${pval(r.mannWhitney.p)}`,
          orText(r.logistic.unadjusted),
          r.logistic.adjusted
            ? `${orText(r.logistic.adjusted)} <span class="muted">+ ${esc(r.logistic.covariates.join(', '))}</span>`
            : '—',
        ];
      }),
    ),
  );
  if (o.comparisons.length > 0) {
    out.push('<h3>Paired AUC comparisons (DeLong, same cases)</h3>');
    out.push(
      table(
        ['markers', 'n (pos/neg)', 'AUCs', 'difference (95 % CI)', 'z', 'p'],
        o.comparisons.map((c) => [
          `${esc(c.markers[0])} vs ${esc(c.markers[1])}`,
          `${c.n} (${c.nPositive}/${c.nNegative})`,
          `${num(c.auc[0], 3)} vs ${num(c.auc[1], 3)}`,
          `${num(c.diff, 3)} (${ci(c.diffCi95, 3)})`,
          num(c.z, 2),
          pval(c.p),
        ]),
      ),
    );
  }
  for (const p of o.profiles) {
    out.push(`<h3>Radial profile, ${esc(p.vessel)}: mean fat HU per 1 mm ring (95 % CI)</h3>`);
    const rings = p.groups[0]?.rings ?? [];
    out.push(
      table(
        ['ring (mm)', ...p.groups.map((g) => `${esc(g.label)} (n=${g.cases})`)],
        rings.map((r, i) => [
          `${num(r.innerMm, 0)}–${num(r.outerMm, 0)}`,
          ...p.groups.map((g) => {
            const b = g.rings[i];
            return b ? `${num(b.mean, 1)} (${ci(b.ci95, 1)})` : '—';
          }),
        ]),
      ),
    );
  }
  return out.join('\n');
}

function continuousSection(name: string, res: Analysis['continuous'][string], k: number, charts: Chart[]): string {
  const ms = Object.entries(res.markers);
  const ids = ms.map(([m, r], j) => {
    const id = `scatter-${k}-${j}`;
    charts.push(scatterChart(id, `${m} vs ${name}`, m, name, r.values.marker, r.values.outcome));
    return id;
  });
  return [
    `<h2>Outcome <code>${esc(name)}</code> (continuous)</h2>`,
    table(
      ['marker', 'n', 'excluded', 'Pearson r (95 % CI)', 'p', 'Spearman ρ (95 % CI)', 'p'],
      ms.map(([m, r]) => [
        esc(m),
        String(r.n),
        String(r.excluded.missingMarker.length + r.excluded.missingOutcome.length),
        `${num(r.pearson.r, 3)} (${ci(r.pearson.ci95, 3)})`,
        pval(r.pearson.p),
        `${num(r.spearman.r, 3)} (${ci(r.spearman.ci95, 3)})`,
        pval(r.spearman.p),
      ]),
    ),
    `<div class="charts">${ids.map((id) => `<div id="${id}" class="chart"></div>`).join('')}</div>`,
  ].join('\n');
}

/**
 * A CSP source for one inline script: only perifat's two scripts run, so even markup that slipped
 * through escaping could not run an event handler.
 */
const hash = (js: string): string => `'sha256-${createHash('sha256').update(js, 'utf8').digest('base64')}'`;

/** JSON inside <script>: '<' escaped so no text can close the element. */
const scriptJson = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(
    /</g,
    '\\u003c',
  );

export function analysisHtml(a: Analysis, assets: PlotAssets): string {
  const charts: Chart[] = [];
  const sections: string[] = [];
  const units = new Map(a.markers.map((m) => [m.id, m.unit ?? m.id]));
  Object.entries(a.binary).forEach(([name, o], k) => sections.push(binarySection(name, o, k, charts, units)));
  Object.entries(a.continuous).forEach(([name, o], k) => sections.push(continuousSection(name, o, k, charts)));
  const j = a.join;
  const head = [
    `<h1>perifat analyze</h1>`,
    `<p class="muted">${a.schema} · perifat ${esc(a.perifat)} · ${a.results.cases} measured cases (${a.results.kind === 'reports' ? 'JSON reports' : 'results CSV'}), ${a.outcomes.rows} outcome rows joined on <code>${esc(a.outcomes.by)}</code>: ${j.matched} matched · markers ${a.markers.map((m) => `<code>${esc(m.id)}</code>`).join(', ')}${a.outcomes.covariates.length ? ` · covariates ${a.outcomes.covariates.map((c) => `<code>${esc(c.column)}</code> (${esc(c.coding)})`).join(', ')}` : ''}</p>`,
    ...a.warnings.map((w) => `<div class="warn">${esc(w)}</div>`),
    `<p class="muted">AUC: Mann–Whitney estimate, 95 % CI by DeLong. Proportions: Wilson 95 % CI; PPV and NPV hold at this cohort's prevalence only. Cut-offs: observed values; published ones (METHOD.md §6) call a case positive when its value is ≥ the cut-off. Odds ratios per 10 HU for HU markers (per unit for others), Wald 95 % CI.</p>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src ${hash(assets.js)} ${hash(PAGE_SCRIPT)}; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>perifat analyze</title>
<style>${assets.css}</style><style>${CSS}</style>
</head><body>
${head.join('\n')}
${sections.join('\n')}
<script type="application/json" id="perifat-charts">${scriptJson(charts)}</script>
<script>${assets.js}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
