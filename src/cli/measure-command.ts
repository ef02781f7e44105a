/**
 * `perifat measure`: load the CT, masks and centerlines, measure on WebGPU (headless Chromium) or
 * the CPU reference, write the report JSON / CSV / masks, print the summary.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultThreads } from '../platform/node/shell-workers';
import { MeasureSession } from '../platform/node/session';
import { PerifatError } from '../errors';
import { IoClock } from '../platform/node/io-clock';
import { onInterrupt } from '../platform/node/cleanup';
import { OutputSet, checkOwnFolder } from '../platform/node/output-set';
import { checkOutputPaths } from '../platform/node/path-guard';
import { reportCsv } from '../io/report-csv';
import { reportSummary } from '../io/report-text';
import type { MeasureInput, MeasureLayers } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import type { Report } from '../measure/report-types';
import {
  MEASURE_OPTION_FLAGS,
  measureOptionsFrom,
  readLimitsFrom,
  RUNTIME_FLAG,
  RUNTIME_USAGE,
  runtimeFrom,
} from './args';
import { maskFiles } from './case-inputs';
import { caseInputs } from './case-file';
import { EXIT } from './exit-codes';
import { addFixedCosts, fixedCostLine } from './fixed-costs';
import { type LoadedInputs, loadInputs } from './measure-inputs';
import { Progress } from './progress';

export const MEASURE_USAGE = `usage: perifat measure --ct <dicom-folder|file.dcm|file.nii[.gz]> [options]
       perifat measure --case cases/NAME.json [options]
  --case FILE            a perifat-case/1 file: CT and how its inputs are built (paths relative to it)
  --pericardium FILE     pericardium mask (NIfTI or DICOM SEG), resampled onto the CT grid
  --vessels FILE         centerlines: perifat-vessels/1 JSON, VTK .vtk or .vtp (or a report that derived them)
  --coronary-mask FILE   derive the centerlines from a coronary lumen mask (NIfTI or DICOM SEG on the CT
                         grid; TotalSegmentator coronary_arteries, nnU-Net/ImageCAS, a manual label)
  --aorta FILE           aorta mask on the CT grid: the ostia are where the coronary trees meet it
                         (else the aorta is found from the CT's contrast, else the trees' proximal ends)
  --coronary-labels L=N  a multi-label coronary mask whose labels name vessels: 1=RCA,2=LAD,3=LCx
  --trace SPEC           trace a vessel on the CT: "RCA:x,y,z;x,y,z[;…]" (LPS mm: ostium, waypoints,
                         distal end; repeatable, or vessels separated by '|')
  --totalseg DIR         a TotalSegmentator output folder: pericardium.nii.gz (else heart.nii.gz grown by
                         5 mm) and, when present, coronary_arteries.nii.gz (+ aorta.nii.gz) for centerlines
  --lesions SPEC|FILE    lesions as VESSEL:START-END (mm), comma-separated, or a JSON file with "lesions"
  --kvp N                tube voltage (overrides the DICOM KVP tag)
  --out FILE             report JSON (perifat-report/1); - for standard output (only regular files are
                         written: a directory, FIFO or device is refused; a link's target is replaced)
  --csv FILE             one-row CSV
  --masks-out DIR        write eat.nii.gz (EAT fat voxels), voi/rings/lesions.nii.gz labelmaps, labels.json
  --seg-out FILE.dcm     DICOM SEG of EAT, each vessel's VOI and each lesion's VOI, referencing the DICOM
                         CT series and carrying its patient and study (a DICOM CT is required)
  --sr-out FILE.dcm      DICOM SR (TID 1500 Measurement Report) of the report's numbers, each group
                         pointing at its segment of the SEG of the same run (write both)
  --dicom-standalone     allow --seg-out/--sr-out for a CT that is not DICOM (NIfTI, phantom): a new
                         study and UIDs, no patient
  --backend B            webgpu | cpu | auto (default auto: webgpu in headless Chromium on a hardware
                         GPU; the CPU backend where the only adapter would be a software one)
  --browser PATH         Chrome/Chromium executable
${RUNTIME_USAGE}
  --fat-window LO:HI     fat window in HU (default -190:-30)
  --segment NAME=S0:S1   segment in mm of arc length (repeatable; defaults RCA 10:50, LAD 0:40, LCx 0:40)
  --wall-gap MM          exclude 0 < w ≤ MM from pericoronary regions (default 0)
  --calcium-guard MM     exclude voxels within MM of calcium (≥ 130 HU) outside the lumen (default off)
  --axial-slices A:B     EAT only between these slices (inclusive)
  --axial-mm A:B         EAT only between these LPS z positions in mm (inclusive; patient z of each voxel)
  --label N              the pericardium's label in a multi-label map (such a map is refused without it)
  --strict               plausibility warnings are errors (E_INPUT_IMPLAUSIBLE, exit 3): a centerline
                         off the contrast lumen or listed distal to ostium, an empty EAT region, axial
                         limits outside the CT, sform/qform disagreement, mixed kVp, two frames of reference
  --case-id ID           name the case ID in the report, CSV and summary (default: the case file's
                         name, else case-<hash of the input path>; file and folder names can hold
                         patient names, so they are left out)
  --keep-names           name the input by its file or folder name instead
  --max-voxels N         refuse a CT or mask larger than N voxels (default 2^30), from its header
  --max-points N         refuse centerlines of more than N points in all (default 20,000)
  --quiet                no progress or summary
  --verbose              details on errors, page console`;

export async function measureCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...MEASURE_OPTION_FLAGS,
      ct: { type: 'string' },
      case: { type: 'string' },
      pericardium: { type: 'string' },
      vessels: { type: 'string' },
      'coronary-mask': { type: 'string' },
      aorta: { type: 'string' },
      'coronary-labels': { type: 'string' },
      trace: { type: 'string', multiple: true },
      totalseg: { type: 'string' },
      lesions: { type: 'string', multiple: true },
      out: { type: 'string' },
      csv: { type: 'string' },
      'masks-out': { type: 'string' },
      'seg-out': { type: 'string' },
      'sr-out': { type: 'string' },
      'dicom-standalone': { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      browser: { type: 'string' },
      ...RUNTIME_FLAG,
      'case-id': { type: 'string' },
      'keep-names': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(MEASURE_USAGE);
    return EXIT.ok;
  }
  if (values.case && (values['coronary-mask'] || values.trace?.length || values.totalseg))
    throw new PerifatError(
      'E_USAGE',
      '--coronary-mask, --trace and --totalseg go with --ct (a case file names its own)',
    );
  if (!values.ct === !values.case) {
    throw new PerifatError('E_OPTIONS', `give --ct or --case (one of them)\n${MEASURE_USAGE}`);
  }
  const backendChoice = values.backend;
  if (backendChoice !== 'webgpu' && backendChoice !== 'cpu' && backendChoice !== 'auto') {
    throw new PerifatError('E_OPTIONS', `--backend must be webgpu, cpu or auto, got "${backendChoice}"`);
  }
  // Before anything is read: no output may be an input, hold one, or be another output.
  const inputs = values.case
    ? [values.case, ...caseInputs(values.case)]
    : [
        values.ct as string,
        values.pericardium,
        values.vessels,
        values['coronary-mask'],
        values.aorta,
        values.totalseg,
        ...(values.lesions ?? []).filter((l) => l.toLowerCase().endsWith('.json')),
      ];
  checkOutputPaths(
    inputs.filter((p): p is string => typeof p === 'string'),
    [values.out, values.csv, values['seg-out'], values['sr-out']].filter(
      (p): p is string => typeof p === 'string' && p !== '-',
    ),
    values['masks-out'] !== undefined ? [values['masks-out']] : [],
  );
  if (values['masks-out'] !== undefined) checkOwnFolder(values['masks-out']);
  const wantDicom = values['seg-out'] !== undefined || values['sr-out'] !== undefined;
  if (values['dicom-standalone'] && !wantDicom)
    throw new PerifatError('E_USAGE', '--dicom-standalone goes with --seg-out or --sr-out');
  if (values['seg-out'] === '-' || values['sr-out'] === '-')
    throw new PerifatError('E_USAGE', '--seg-out and --sr-out write files, not standard output');
  const caseId =
    values['case-id'] ?? (values.case ? basename(values.case).replace(/\.json$/i, '') : neutralId(values.ct as string));
  const limits = readLimitsFrom(values);
  const progress = new Progress(!values.quiet);
  // Progress lines end up in Slurm and Kubernetes logs: paths (which may hold a patient's name) only
  // with --keep-names or --verbose, else the case id.
  const named = (path: string): string => (values['keep-names'] || values.verbose ? path : `(case ${caseId})`);
  const flagOptions = measureOptionsFrom(values);
  // The backend opens while the inputs are read: the CPU backend's worker threads boot (or
  // Chromium starts) as the CT inflates. An input error still comes first.
  const opening = settle(
    MeasureSession.open({
      backend: backendChoice,
      runtime: runtimeFrom(values),
      browserPath: values.browser,
      verbose: values.verbose,
      log: (m) => progress.step(m),
    }),
  );
  const clock = new IoClock();
  const loadFrom = performance.now();
  let loaded: LoadedInputs;
  let loadMs: number;
  try {
    loaded = await clock.run(() => loadInputs(values, flagOptions, limits, progress, named));
    loadMs = performance.now() - loadFrom;
    // Before measuring: a SEG/SR of a CT without DICOM UIDs is refused (unless standalone).
    if (wantDicom) (await import('../io/dicom-outputs')).checkDicomSource(loaded.input.ct, values['dicom-standalone']);
  } catch (e) {
    const s = await opening;
    if (s.ok) await s.value.close();
    throw e;
  }
  const { input, options, notes } = loaded;
  const { ct } = input;
  progress.step(`CT ${ct.dims.join('×')} voxels, ${ct.spacing.map((s) => s.toFixed(3)).join('×')} mm`);

  const wantLayers = values['masks-out'] !== undefined || wantDicom;
  const opened = await opening;
  if (!opened.ok) throw opened.error;
  const { report, layers } = await runMeasurement(opened.value, input, options, wantLayers, progress);
  report.warnings.push(...notes);
  addFixedCosts(report.timingsMs, clock, loadMs, true);
  // No identifiers by default: the input is named by a case id, its file name only when asked.
  report.input.ct = values['keep-names'] ? basename(ct.source) : caseId;
  report.input.caseId = caseId;
  if (values['sr-out'] && !values['seg-out'])
    report.warnings.push('the SR points at segments of a SEG that was not written: give --seg-out too');

  // Every output to a temporary first; all renamed only when all were written. The report is
  // serialised last, so its `write` holds the time the other outputs took (its own is on --verbose).
  const outputs = new OutputSet();
  const forget = onInterrupt(() => outputs.discard());
  const writeFrom = performance.now();
  try {
    if (values.csv) outputs.file(values.csv, reportCsv(report));
    if (values['masks-out']) {
      const dir = values['masks-out'];
      const files = maskFiles(input, options, report, layers);
      outputs.folder(dir, files);
    }
    if (wantDicom) {
      const { dicomOutputs } = await import('../io/dicom-outputs');
      const dicom = dicomOutputs(input, options, report, layers, {
        seg: values['seg-out'] !== undefined,
        sr: values['sr-out'] !== undefined,
        standalone: values['dicom-standalone'],
      });
      if (values['seg-out'] && dicom.seg) outputs.file(values['seg-out'], dicom.seg);
      if (values['sr-out'] && dicom.sr) outputs.file(values['sr-out'], dicom.sr);
    }
    report.timingsMs['write'] = performance.now() - writeFrom;
    if (values.out && values.out !== '-') outputs.file(values.out, `${JSON.stringify(report, null, 2)}\n`);
    outputs.commit();
  } catch (e) {
    outputs.discard();
    throw e;
  } finally {
    forget();
  }
  if (values.verbose) progress.step(fixedCostLine(report.timingsMs, performance.now() - writeFrom));
  if (values['masks-out']) progress.step(`masks written to ${named(values['masks-out'])}`);
  if (values['seg-out']) progress.step(`DICOM SEG written to ${named(values['seg-out'])}`);
  if (values['sr-out']) progress.step(`DICOM SR written to ${named(values['sr-out'])}`);
  progress.done();
  // `--out -`: the report on standard output (a stream), the summary then on standard error.
  if (values.out === '-') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!values.quiet) (values.out === '-' ? console.error : console.log)(reportSummary(report));
  return EXIT.ok;
}

async function runMeasurement(
  session: MeasureSession,
  input: MeasureInput,
  options: Partial<MeasureOptions>,
  wantLayers: boolean,
  progress: Progress,
): Promise<{ report: Report; layers: MeasureLayers | null }> {
  try {
    progress.step(
      session.api === 'webgpu' ? 'measuring on WebGPU' : `measuring on the CPU backend (${defaultThreads()} threads)`,
    );
    return await session.measure(input, options, wantLayers);
  } finally {
    await session.close();
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** A case id that names no patient: a short hash of where the input lives. */
function neutralId(path: string): string {
  let where = resolve(path);
  try {
    where = realpathSync(where);
  } catch {
    // A missing input is reported by its reader.
  }
  return `case-${createHash('sha256').update(where).digest('hex').slice(0, 10)}`;
}
