/**
 * `perifat centerlines`: coronary centerlines from a coronary mask (or traced on the CT from a few
 * points), named RCA / LAD / LCx (+ branches), written as perifat-vessels/1 JSON (with how they were
 * derived and every warning) and optionally as a VTK .vtp for 3D Slicer or VMTK.
 */
import { parseArgs } from 'node:util';
import { vesselsDocument } from '../centerlines/derive';
import type { DerivedCenterlines } from '../centerlines/types';
import { PerifatError } from '../errors';
import { vesselsVtp } from '../io/vessels-vtp-write';
import { onInterrupt } from '../platform/node/cleanup';
import { loadCt, loadNiftiGrid } from '../platform/node/load';
import { OutputSet } from '../platform/node/output-set';
import { checkOutputPaths } from '../platform/node/path-guard';
import { MeasureSession } from '../platform/node/session';
import { arcLengths } from '../volume/vessels';
import { centerlineFlags, readLimitsFrom, RUNTIME_FLAG, RUNTIME_USAGE, runtimeFrom } from './args';
import { centerlineRequest, totalsegFiles } from './centerline-inputs';
import { EXIT } from './exit-codes';
import { Progress } from './progress';

export const CENTERLINES_USAGE = `usage: perifat centerlines --ct CT (--coronary-mask MASK [--aorta MASK] | --trace SPEC… | --totalseg DIR)
                           --out vessels.json [--vtp FILE] [options]
  --ct PATH              DICOM folder or file, or NIfTI
  --coronary-mask FILE   coronary lumen mask on the CT grid (NIfTI or DICOM SEG): TotalSegmentator
                         coronary_arteries, an nnU-Net/ImageCAS model, a manual label
  --aorta FILE           aorta mask on the CT grid: ostia where the trees meet it (else the aorta is
                         found from the CT's contrast next to the mask, else the most proximal point)
  --coronary-labels L=N  labels of a multi-label mask that name vessels: 1=RCA,2=LAD,3=LCx
  --trace SPEC           trace on the CT: "RCA:x,y,z;x,y,z" (LPS mm: ostium, waypoints, distal end);
                         repeatable, or vessels separated by '|'
  --totalseg DIR         a TotalSegmentator folder: coronary_arteries.nii.gz (+ aorta.nii.gz)
  --out FILE             perifat-vessels/1 JSON (what perifat measure --vessels reads)
  --vtp FILE             also VTK XML PolyData (MaximumInscribedSphereRadius, CenterlineName)
  --backend B            webgpu | cpu | auto (default auto; the EDT runs on the GPU or its CPU twin:
                         the same centerlines either way)
  --browser PATH         Chrome/Chromium executable
${RUNTIME_USAGE}
  --max-voxels N         refuse a CT or mask larger than N voxels (default 2^30)
  --quiet                no progress or summary
  --verbose              details on errors`;

export async function centerlinesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ct: { type: 'string' },
      'coronary-mask': { type: 'string' },
      aorta: { type: 'string' },
      'coronary-labels': { type: 'string' },
      trace: { type: 'string', multiple: true },
      totalseg: { type: 'string' },
      out: { type: 'string' },
      vtp: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      browser: { type: 'string' },
      ...RUNTIME_FLAG,
      'max-voxels': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(CENTERLINES_USAGE);
    return EXIT.ok;
  }
  if (!values.ct) throw new PerifatError('E_USAGE', `--ct is required\n${CENTERLINES_USAGE}`);
  if (!values.out) throw new PerifatError('E_USAGE', `--out is required\n${CENTERLINES_USAGE}`);
  const backend = values.backend;
  if (backend !== 'webgpu' && backend !== 'cpu' && backend !== 'auto')
    throw new PerifatError('E_OPTIONS', `--backend must be webgpu, cpu or auto, got "${backend}"`);
  const sources = [values['coronary-mask'], values.trace?.length ? 'trace' : undefined, values.totalseg].filter(
    Boolean,
  );
  if (sources.length !== 1)
    throw new PerifatError('E_USAGE', `give one of --coronary-mask, --trace, --totalseg\n${CENTERLINES_USAGE}`);
  const ts = values.totalseg ? totalsegFiles(values.totalseg) : null;
  if (ts && !ts.coronary)
    throw new PerifatError('E_INPUT_NOT_FOUND', 'no coronary_arteries.nii.gz in the TotalSegmentator folder', {
      file: values.totalseg,
    });
  const flags = ts ? { coronaryMask: ts.coronary, ...(ts.aorta ? { aorta: ts.aorta } : {}) } : centerlineFlags(values);
  checkOutputPaths(
    [values.ct, flags.coronaryMask, flags.aorta].filter((p): p is string => typeof p === 'string'),
    [values.out, values.vtp].filter((p): p is string => typeof p === 'string'),
  );
  const limits = readLimitsFrom(values);
  const progress = new Progress(!values.quiet);
  const session = await MeasureSession.open({
    backend,
    runtime: runtimeFrom(values),
    browserPath: values.browser,
    verbose: values.verbose,
    log: (m) => progress.step(m),
  });
  let derived: DerivedCenterlines;
  try {
    // A mask with an aorta mask needs no HU: on the CPU, a NIfTI CT is read for its grid only.
    const gridOnly =
      session.api === 'cpu' && flags.coronaryMask !== undefined && flags.aorta !== undefined && isNifti(values.ct);
    progress.step(gridOnly ? 'reading the CT grid and the masks' : 'reading the CT and the masks');
    const ct = gridOnly ? null : await loadCt(values.ct, limits);
    const grid = ct ?? (await loadNiftiGrid(values.ct));
    const req = await centerlineRequest(grid, flags, limits);
    if (!req) throw new PerifatError('E_USAGE', 'nothing to derive centerlines from');
    progress.step(`deriving centerlines (${session.api === 'webgpu' && ct ? 'EDT on WebGPU' : 'EDT on the CPU'})`);
    derived = await session.centerlines(ct, req);
  } finally {
    await session.close();
  }
  const doc = {
    ...vesselsDocument(derived),
    derived: {
      method: derived.method,
      ostia: derived.ostia,
      warnings: derived.warnings,
      stats: derived.stats,
      edt: session.api,
    },
  };
  const outputs = new OutputSet();
  const forget = onInterrupt(() => outputs.discard());
  try {
    outputs.file(values.out, `${JSON.stringify(doc, null, 2)}\n`);
    if (values.vtp) outputs.file(values.vtp, vesselsVtp(derived.vessels));
    outputs.commit();
  } catch (e) {
    outputs.discard();
    throw e;
  } finally {
    forget();
  }
  progress.done();
  if (!values.quiet) console.log(centerlinesSummary(derived));
  return EXIT.ok;
}

/** One line per vessel (length, points, proximal and distal radius) and the warnings. */
export function centerlinesSummary(d: DerivedCenterlines): string {
  const lines = d.vessels.map((v) => {
    const s = arcLengths(v.points);
    const len = s[s.length - 1] ?? 0;
    const r0 = v.radii[0] ?? 0;
    const r1 = v.radii[v.radii.length - 1] ?? 0;
    return `${v.name.padEnd(8)} ${len.toFixed(1).padStart(6)} mm  ${String(v.points.length).padStart(5)} points  r ${r0.toFixed(2)} → ${r1.toFixed(2)} mm`;
  });
  const head = `perifat centerlines · ${d.method === 'mask' ? 'from a coronary mask' : 'traced on the CT'} · ${d.vessels.length} vessels`;
  return [head, ...lines, ...d.warnings.map((w) => `warning: ${w.message}`)].join('\n');
}

const isNifti = (path: string): boolean => /\.nii(\.gz)?$/i.test(path);
