/**
 * Whole-case benchmark: `perifat measure` as a user runs it (a fresh process per run, files on
 * disk) — run directly as installed (`node bin/perifat.mjs`) and through `npx perifat` — next to an
 * independent Python baseline (bench/baseline/pcat_scipy.py: scipy's EDT feature transform from the
 * rasterised centerline, as MolloiLab/PCAT does; approximate) and the exact reference (the
 * phantom's float64 oracle, src/phantom/truth.ts, in this process, single-threaded) where it runs in
 * reasonable time. Cases:
 *   smooth  240×240×150 @ 0.41×0.41×0.6 mm: the phantom's smooth analytic paths;
 *   tree    the same grid, tortuous, jittered, traced-like centerlines (LAD, LCx from the ostium);
 *   big     512×512×300 @ 0.4×0.4×0.5 mm, three smooth vessels;
 *   big600  512×512×600 @ 0.4×0.4×0.25 mm, three smooth vessels.
 * Runs alternate (scipy, direct, npx, … per repeat) so a busy machine slows each alike; medians are
 * printed. Each perifat run's stages come from its report's timingsMs: start (process start → the
 * command's main), load (read, inflate), eat, plan, classify, statistics (fai.stats), write, and
 * `other` = wall − start − load − total − write (process exit, worker start not hidden, summary).
 * Every count is checked against the float64 truth (the baseline's error is printed, not judged).
 *
 *   npx tsx bench/whole-case.ts [--case smooth|tree|big|big600|all] [--repeats 3] [--no-npx]
 *                               [--webgpu] [--reference-max-voxels 10000000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../src/measure/report-types';
import { makePhantom } from '../src/phantom';
import { computeTruth } from '../src/phantom/truth';
import { writePhantom } from '../src/platform/node/phantom-files';
import type { PhantomOptions } from '../src/phantom/types';
import { reportDiff } from '../test/helpers/report-diff';
import { median } from './util';

const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'all' },
    repeats: { type: 'string', default: '3' },
    'no-npx': { type: 'boolean', default: false },
    webgpu: { type: 'boolean', default: false },
    'reference-max-voxels': { type: 'string', default: '10000000' },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const referenceMax = Number(values['reference-max-voxels']);
const CASES: Record<string, PhantomOptions> = {
  smooth: { dims: [240, 240, 150], spacing: [0.41, 0.41, 0.6], noiseSd: 12, seed: 1 },
  tree: { dims: [240, 240, 150], spacing: [0.41, 0.41, 0.6], noiseSd: 12, seed: 1, tree: { branchesFrom: 'ostium' } },
  big: { dims: [512, 512, 300], spacing: [0.4, 0.4, 0.5], noiseSd: 15, seed: 7 },
  big600: { dims: [512, 512, 600], spacing: [0.4, 0.4, 0.25], noiseSd: 15, seed: 7 },
};
const names = values.case === 'all' ? Object.keys(CASES) : values.case.split(',');
const root = join(import.meta.dirname, '..');

function timed(cmd: string, args: string[]): { wallMs: number; out: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wallMs, out: r.stdout };
}

/** The report's stages under the issue's names (existing keys kept: plan = fai.plan, …). */
function stages(report: Report, wallMs: number): Record<string, number> {
  const t = report.timingsMs;
  const pick = (k: string) => t[k] ?? 0;
  const named: Record<string, number> = {
    start: pick('start'),
    load: pick('load'),
    read: pick('read'),
    inflate: pick('inflate'),
    eat: pick('eat'),
    plan: pick('fai.plan'),
    classify: pick('fai.classify'),
    statistics: pick('fai.stats'),
    measure: pick('total'),
    write: pick('write'),
  };
  named['other'] = wallMs - named['start']! - named['load']! - named['measure']! - named['write']!;
  return Object.fromEntries(Object.entries(named).map(([k, v]) => [k, Math.round(v)]));
}

const scipy = spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0;
const npx = !values['no-npx'];
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  const opts = CASES[name];
  if (!opts) throw new Error(`unknown case ${name} (${Object.keys(CASES).join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), `perifat-bench-${name}-`));
  try {
    const phantom = makePhantom(opts);
    const files = await writePhantom(phantom, dir);
    const truth = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Report;
    const voxels = (opts.dims as number[]).reduce((a, b) => a * b, 1);
    const row: Record<string, unknown> = { case: name, dims: opts.dims, voxels };
    if (voxels <= referenceMax) {
      const t = performance.now();
      computeTruth(phantom.ct, phantom.pericardium, phantom.vessels, { kvp: phantom.params.kvp });
      row['reference'] = { wallMs: Math.round(performance.now() - t), note: 'in-process float64 oracle, 1 thread' };
    }
    // NIfTI carries no tube voltage: give the phantom's, so the 120 kVp values can be compared too.
    const inputs = ['--ct', files.ct, '--pericardium', files.pericardium, '--vessels', files.vessels, '--quiet'];
    inputs.push('--kvp', String(phantom.params.kvp));
    const perifat: [string, string, string[]][] = [
      ['direct', process.execPath, ['bin/perifat.mjs', 'measure', ...inputs]],
      ...(npx ? [['npx', 'npx', ['perifat', 'measure', ...inputs]] as [string, string, string[]]] : []),
      ...(values.webgpu
        ? [
            ['webgpu', process.execPath, ['bin/perifat.mjs', 'measure', ...inputs, '--backend', 'webgpu']] as [
              string,
              string,
              string[],
            ],
          ]
        : []),
    ];
    const walls: Record<string, number[]> = { scipy: [] };
    const reports: Record<string, Report[]> = {};
    let baselineOut = '';
    for (let r = 0; r < repeats; r++) {
      if (scipy) {
        const t = timed('python3', ['bench/baseline/pcat_scipy.py', files.ct, files.pericardium, files.vessels]);
        walls['scipy']!.push(t.wallMs);
        baselineOut = t.out;
      }
      for (const [label, cmd, args] of perifat) {
        const out = join(dir, `${label}.json`);
        (walls[label] ??= []).push(timed(cmd, [...args, '--out', out]).wallMs);
        (reports[label] ??= []).push(JSON.parse(readFileSync(out, 'utf8')) as Report);
      }
    }
    const baselineMs = scipy ? median(walls['scipy']!) : null;
    if (scipy) {
      const b = JSON.parse(baselineOut) as { vessels: { name: string; faiHu: number; voiVoxels: number }[] };
      row['scipy'] = {
        wallMs: Math.round(baselineMs as number),
        faiErrorHu: b.vessels.map((v, i) => +(v.faiHu - (truth.vessels[i]?.faiHu ?? NaN)).toFixed(2)),
        voiErrorPct: b.vessels.map(
          (v, i) => +(100 * (v.voiVoxels / (truth.vessels[i]?.voiVoxels ?? NaN) - 1)).toFixed(1),
        ),
      };
    }
    for (const [label] of perifat) {
      const w = walls[label]!;
      const rs = reports[label]!;
      const wall = median(w);
      // The stages of the run whose wall time is the median (or nearest it).
      const at = w.indexOf([...w].sort((a, b) => Math.abs(a - wall) - Math.abs(b - wall))[0]!);
      const report = rs[at]!;
      const d = report.diagnostics?.pericoronary;
      row[label] = {
        wallMs: Math.round(wall),
        runsMs: w.map(Math.round),
        scipyOverPerifat: baselineMs ? +(baselineMs / wall).toFixed(2) : null,
        backend: `${report.backend.api}${report.backend.adapter ? `/${report.backend.adapter.architecture}` : ''}`,
        stagesMs: stages(report, w[at]!),
        equalsTruth: rs.every((x) => reportDiff(x, truth).length === 0),
        cropVoxels: d?.cropVoxels,
        evaluations: d?.evaluations,
        workers: d?.workers,
        undecided: d?.undecided?.total ?? 0,
      };
    }
    rows.push(row);
    console.log(JSON.stringify(row, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!scipy) console.log('scipy baseline skipped: python3 with numpy and scipy not found (Debian: python3-scipy)');
const secs = (r: Record<string, unknown>, k: string): string => {
  const x = r[k] as { wallMs: number } | undefined;
  return x ? `${(x.wallMs / 1000).toFixed(2)} s` : '—';
};
console.log(`\nmedians of ${repeats} alternating runs (wall s; scipy/perifat in parentheses)`);
console.log('case    direct          npx             scipy     reference  stages of the direct run (ms)');
for (const r of rows) {
  const ratio = (k: string) => {
    const x = r[k] as { scipyOverPerifat?: number | null } | undefined;
    return x?.scipyOverPerifat ? ` (${x.scipyOverPerifat}×)` : '';
  };
  const st = (r['direct'] as { stagesMs: Record<string, number> } | undefined)?.stagesMs ?? {};
  console.log(
    `${String(r['case']).padEnd(7)} ${(secs(r, 'direct') + ratio('direct')).padEnd(15)} ${(secs(r, 'npx') + ratio('npx')).padEnd(15)} ` +
      `${secs(r, 'scipy').padEnd(9)} ${secs(r, 'reference').padEnd(10)} ` +
      Object.entries(st)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · '),
  );
}
