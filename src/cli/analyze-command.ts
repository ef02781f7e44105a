/**
 * `perifat analyze`: the diagnostic value of the measured markers in a cohort. Reads a batch's
 * reports (or its results CSV) and an outcomes CSV, writes analysis.json and a self-contained
 * analysis.html together (whole or absent), and prints a summary. The statistics are loaded only
 * here (their distribution library costs ~0.2 s), not by every `perifat` command.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PerifatError } from '../errors';
import { safeText } from '../util/safe-text';
import { EXIT } from './exit-codes';

export const ANALYZE_USAGE = `usage: perifat analyze --results RESULTS --outcomes OUTCOMES.csv --outcome COLUMN --out DIR [options]
  --results PATH         a batch's output folder (reports/<caseId>.json), a folder of perifat-report/1
                         JSON files, or the CSV of measure --csv or a batch (results.csv)
  --outcomes FILE        CSV, one row per case: the case id column (--by) and the outcome columns
  --by COLUMN            the outcomes' case id column (default caseId). A report's case id is its
                         input.caseId (batch writes it), else its file name without .json; a CSV's is
                         its case_id column, else the --by column
  --outcome COLUMN       an outcome (repeatable or comma-separated): two classes = binary (ROC, AUC,
                         cut-offs, group tests, logistic), numbers = continuous (Pearson, Spearman)
  --positive [COLUMN=]LABEL  the positive class (default: 1, true, yes, y, positive, pos)
  --marker M             repeatable or comma-separated: a vessel field faiHu120:RCA, faiHu:LAD,
                         vpci:RCA, nearHu:LCx, rings.0.meanHu:RCA; eat.meanHu, eat.volumeMl;
                         lesion.faiHu:LAD (lesion.faiHu:LAD#2: the second); or a results.csv column
                         (rca_fai_hu). Default: the FAI of RCA, LAD, LCx (120 kVp when known) and
                         the EAT density
  --direction D          auto (default: higher = positive when the positives' median is higher),
                         higher, or lower
  --cutoff X             also evaluate these cut-offs (repeatable or comma-separated), besides the
                         Youden-optimal one and METHOD.md §6's published ones for coronary FAI
  --covariates A,B       also a logistic regression of each binary outcome on the marker and these
                         outcome columns (numbers, or two classes coded 0/1): odds ratio per 10 HU
  --out DIR              writes DIR/analysis.json (perifat-analysis/1) and DIR/analysis.html
  --quiet                no summary on the terminal
Refused with the column or file named (exit 3): a single outcome class, fewer than 10 cases with a
value per group, non-numeric marker values, duplicate case ids. Cases without an outcome row,
outcome rows without a case, and missing values are listed in analysis.json and the report.`;

const MIN_PER_GROUP = 10;

/** parseArgs takes "--cutoff -72" for a missing value; a negative number is meant. */
function negativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (a === '--cutoff' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`--cutoff=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

const list = (xs: readonly string[] | undefined): string[] =>
  (xs ?? [])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');

const real = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: negativeValues(argv),
    options: {
      results: { type: 'string' },
      outcomes: { type: 'string' },
      by: { type: 'string', default: 'caseId' },
      outcome: { type: 'string', multiple: true },
      positive: { type: 'string', multiple: true },
      marker: { type: 'string', multiple: true },
      direction: { type: 'string', default: 'auto' },
      cutoff: { type: 'string', multiple: true },
      covariates: { type: 'string', multiple: true },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(ANALYZE_USAGE);
    return EXIT.ok;
  }
  const usage = (m: string): never => {
    throw new PerifatError('E_USAGE', `${m}\n${ANALYZE_USAGE}`);
  };
  if (!values.results) usage('--results RESULTS is required');
  if (!values.outcomes) usage('--outcomes FILE is required');
  if (!values.out) usage('--out DIR is required');
  const outcomes = list(values.outcome);
  if (outcomes.length === 0) usage('--outcome COLUMN is required');
  const direction = values.direction;
  if (direction !== 'auto' && direction !== 'higher' && direction !== 'lower') {
    usage(`--direction must be auto, higher or lower, got "${safeText(direction)}"`);
  }
  const cutoffs = list(values.cutoff).map((c) => {
    const x = Number(c);
    if (!Number.isFinite(x)) usage(`--cutoff expects numbers, got "${safeText(c)}"`);
    return x;
  });
  const positive = new Map<string, string>();
  for (const p of values.positive ?? []) {
    const eq = p.indexOf('=');
    if (eq > 0) positive.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
    else positive.set('*', p.trim());
  }
  const resultsPath = values.results as string;
  const outcomesPath = values.outcomes as string;
  const outDir = values.out as string;
  const jsonOut = join(outDir, 'analysis.json');
  const htmlOut = join(outDir, 'analysis.html');
  for (const o of [jsonOut, htmlOut]) {
    if ([resultsPath, outcomesPath].some((i) => real(i) === real(o))) usage(`the output ${o} is an input`);
  }

  const [
    { loadResults },
    { loadOutcomes },
    { parseMarker },
    { analyze, analysisJson },
    { analysisHtml },
    { uplotAssets },
    { OutputSet },
  ] = await Promise.all([
    import('../analyze/results'),
    import('../analyze/outcomes'),
    import('../analyze/markers'),
    import('../analyze/analysis'),
    import('../analyze/html'),
    import('../analyze/html-assets'),
    import('../platform/node/output-set'),
  ]);
  const markers = list(values.marker).map(parseMarker);
  const set = loadResults(resultsPath, values.by);
  const table = loadOutcomes(outcomesPath, values.by);
  const analysis = analyze(set, table, {
    outcomes,
    markers: markers.length > 0 ? markers : null,
    positive,
    direction: direction as 'auto' | 'higher' | 'lower',
    cutoffs,
    covariates: list(values.covariates),
    minPerGroup: MIN_PER_GROUP,
  });
  const html = analysisHtml(analysis, uplotAssets());
  const outputs = new OutputSet();
  try {
    outputs.file(jsonOut, analysisJson(analysis));
    outputs.file(htmlOut, html);
    outputs.commit();
  } catch (e) {
    outputs.discard();
    throw e;
  }

  if (!values.quiet) {
    const j = analysis.join;
    console.log(
      `perifat analyze · ${analysis.results.cases} cases (${analysis.results.kind}), ${analysis.outcomes.rows} outcome rows on ${safeText(values.by)}: ${j.matched} matched`,
    );
    for (const [name, o] of Object.entries(analysis.binary)) {
      console.log(`${safeText(name)}: "${safeText(o.positive)}" vs "${safeText(o.negative)}"`);
      for (const [m, r] of Object.entries(o.markers)) {
        const y = r.youden;
        console.log(
          `  ${m.padEnd(16)} n ${r.nPositive}/${r.nNegative}  AUC ${r.auc.toFixed(3)} (${r.aucCi95[0].toFixed(3)}–${r.aucCi95[1].toFixed(3)})  ${r.direction} = positive  Youden ${y.rule} ${y.cutoff.toFixed(2)}: sensitivity ${y.sensitivity.toFixed(3)}, specificity ${y.specificity.toFixed(3)}`,
        );
      }
    }
    for (const [name, o] of Object.entries(analysis.continuous)) {
      console.log(`${safeText(name)} (continuous)`);
      for (const [m, r] of Object.entries(o.markers)) {
        console.log(
          `  ${m.padEnd(16)} n ${r.n}  Pearson r ${r.pearson.r.toFixed(3)} (p ${r.pearson.p.toPrecision(3)})  Spearman ρ ${r.spearman.r.toFixed(3)} (p ${r.spearman.p.toPrecision(3)})`,
        );
      }
    }
    for (const w of analysis.warnings) console.log(`warning: ${w}`);
    console.log(`wrote ${jsonOut} and ${htmlOut}`);
  }
  return EXIT.ok;
}
