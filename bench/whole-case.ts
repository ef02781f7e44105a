/**
 * Whole-case benchmark: `perifat measure` as a user runs it (a fresh process per run, files on
 * disk) on the default backend and on `--backend cpu` (and `--backend webgpu` with --webgpu), next
 * to an independent Python baseline (bench/baseline/pcat_scipy.py: scipy's EDT feature transform
 * from the rasterised centerline, as MolloiLab/PCAT does) in the same run, on:
 *   tree  240×240×150 @ 0.41×0.41×0.6 mm (8.6 M voxels): tortuous, jittered, traced-like centerlines,
 *         LAD and LCx given from the ostium with their common stem;
 *   big   512×512×300 @ 0.4×0.4×0.5 mm (78.6 M voxels): three smooth vessels.
 * Prints wall times, ratios to the baseline, the undecided voxels of the f32 path, and whether
 * every count equals the float64 truth (the baseline's error is printed, not judged).
 *
 *   npx tsx bench/whole-case.ts [--case tree|big|all] [--repeats 1] [--webgpu]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../src/measure/report-types';
import { makePhantom } from '../src/phantom';
import { writePhantom } from '../src/platform/node/phantom-files';
import type { PhantomOptions } from '../src/phantom/types';
import { reportDiff } from '../test/helpers/report-diff';
import { median } from './util';

const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'all' },
    repeats: { type: 'string', default: '1' },
    webgpu: { type: 'boolean', default: false },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const CASES: Record<string, PhantomOptions> = {
  tree: { dims: [240, 240, 150], spacing: [0.41, 0.41, 0.6], noiseSd: 12, seed: 1, tree: { branchesFrom: 'ostium' } },
  big: { dims: [512, 512, 300], spacing: [0.4, 0.4, 0.5], noiseSd: 15, seed: 7 },
};
const names = values.case === 'all' ? Object.keys(CASES) : [values.case];
const root = join(import.meta.dirname, '..');

interface Timed {
  wallMs: number;
  out: string;
}

function timed(cmd: string, args: string[]): Timed {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wallMs, out: r.stdout };
}

const scipy = spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0;
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  const opts = CASES[name];
  if (!opts) throw new Error(`unknown case ${name}`);
  const dir = mkdtempSync(join(tmpdir(), `perifat-bench-${name}-`));
  try {
    const phantom = makePhantom(opts);
    const files = await writePhantom(phantom, dir);
    const truth = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Report;
    const inputs = ['--ct', files.ct, '--pericardium', files.pericardium, '--vessels', files.vessels, '--quiet'];
    // NIfTI carries no tube voltage: give the phantom's, so the 120 kVp values can be compared too.
    inputs.push('--kvp', String(phantom.params.kvp));
    const runs: [string, string[]][] = [
      ['default', []],
      ['cpu', ['--backend', 'cpu']],
      ...(values.webgpu ? [['webgpu', ['--backend', 'webgpu']] as [string, string[]]] : []),
    ];
    const row: Record<string, unknown> = {
      case: name,
      dims: opts.dims,
      voxels: (opts.dims as number[]).reduce((a, b) => a * b, 1),
    };
    let baselineMs: number | null = null;
    if (scipy) {
      const walls: number[] = [];
      let out = '';
      for (let r = 0; r < repeats; r++) {
        const t = timed('python3', ['bench/baseline/pcat_scipy.py', files.ct, files.pericardium, files.vessels]);
        walls.push(t.wallMs);
        out = t.out;
      }
      baselineMs = median(walls);
      const b = JSON.parse(out) as { vessels: { name: string; faiHu: number; voiVoxels: number }[] };
      row['scipy'] = {
        wallMs: Math.round(baselineMs),
        faiErrorHu: b.vessels.map((v, i) => +(v.faiHu - (truth.vessels[i]?.faiHu ?? NaN)).toFixed(2)),
        voiErrorPct: b.vessels.map(
          (v, i) => +(100 * (v.voiVoxels / (truth.vessels[i]?.voiVoxels ?? NaN) - 1)).toFixed(1),
        ),
      };
    }
    for (const [label, extra] of runs) {
      const out = join(dir, `${label}.json`);
      const walls: number[] = [];
      for (let r = 0; r < repeats; r++)
        walls.push(timed('node', ['bin/perifat.mjs', 'measure', ...inputs, ...extra, '--out', out]).wallMs);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      const wall = median(walls);
      const d = report.diagnostics?.pericoronary;
      row[label] = {
        wallMs: Math.round(wall),
        vsScipy: baselineMs ? +(wall / baselineMs).toFixed(2) : null,
        backend: `${report.backend.api}${report.backend.adapter ? `/${report.backend.adapter.architecture}` : ''}`,
        inProcessMs: Object.fromEntries(Object.entries(report.timingsMs).map(([k, v]) => [k, Math.round(v)])),
        equalsTruth: reportDiff(report, truth).length === 0,
        method: d?.method,
        workers: d?.workers,
        undecided: d?.undecided?.total ?? 0,
        undecidedByReason: d?.undecided?.byReason,
      };
    }
    rows.push(row);
    console.log(JSON.stringify(row, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!scipy) console.log('scipy baseline skipped: python3 with numpy and scipy not found (Debian: python3-scipy)');
console.log('\ncase   default      cpu          scipy');
for (const r of rows) {
  const f = (k: string) => {
    const x = r[k] as { wallMs: number; vsScipy?: number | null } | undefined;
    return x ? `${(x.wallMs / 1000).toFixed(2)} s${x.vsScipy ? ` (${x.vsScipy}×)` : ''}` : '—';
  };
  console.log(`${String(r['case']).padEnd(6)} ${f('default').padEnd(12)} ${f('cpu').padEnd(12)} ${f('scipy')}`);
}
