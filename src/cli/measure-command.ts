/**
 * `perifat measure`: load the CT, masks and centerlines, measure on WebGPU (headless Chromium) or
 * the CPU reference, write the report JSON / CSV / masks, print the summary.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultThreads } from '../platform/node/shell-workers';
import { type BackendChoice, MeasureSession, type RuntimeChoice } from '../platform/node/session';
import { PerifatError } from '../errors';
import { loadCt, loadLabels, loadVessels } from '../platform/node/load';
import { onInterrupt } from '../platform/node/cleanup';
import { OutputSet, checkOwnFolder } from '../platform/node/output-set';
import { checkOutputPaths } from '../platform/node/path-guard';
import { reportCsv } from '../io/report-csv';
import { checkDicomSource, dicomOutputs } from '../io/dicom-outputs';
import { reportSummary } from '../io/report-text';
import type { MeasureInput, MeasureLayers } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import type { Report } from '../measure/report-types';
import type { VesselSet } from '../volume/vessels';
import {
  MEASURE_OPTION_FLAGS,
  measureOptionsFrom,
  readLimitsFrom,
  RUNTIME_FLAG,
  RUNTIME_USAGE,
  runtimeFrom,
} from './args';
import { lesionsOf, maskFiles, withLesions } from './case-inputs';
import { centerlineFlags } from './args';
import { centerlineRequest, totalsegInputs } from './centerline-inputs';
import { caseInputs, loadCase } from './case-file';
import { EXIT } from './exit-codes';
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
  let input: MeasureInput;
  let options = measureOptionsFrom(values);
  let notes: string[] = [];
  if (values.case) {
    progress.step(`loading case ${named(values.case)}`);
    const loaded = await loadCase(values.case, limits);
    // Flags given on the command line override the case file's settings.
    options = { ...loaded.options, ...options };
    notes = loaded.notes;
    input = loaded.input;
    if (values.lesions?.length)
      input =
        input.centerlines && !input.vessels
          ? { ...input, lesions: lesionsOf(values.lesions) }
          : { ...input, vessels: withLesions(input.vessels, values.lesions) };
  } else {
    const ctPath = values.ct as string;
    progress.step(`loading CT ${named(ctPath)}`);
    const ct = await loadCt(ctPath, limits);
    const derive = values['coronary-mask'] !== undefined || (values.trace?.length ?? 0) > 0;
    if (values.vessels && derive)
      throw new PerifatError(
        'E_USAGE',
        'give --vessels or what to derive them from (--coronary-mask, --trace), not both',
      );
    const totalseg = values.totalseg ? await totalsegInputs(values.totalseg, ct, limits) : null;
    if (totalseg) notes = totalseg.notes.filter((n) => !(n.includes('centerlines') && (values.vessels || derive)));
    const pericardium = values.pericardium
      ? await loadLabels(values.pericardium, { onto: ct, ...limits })
      : (totalseg?.pericardium ?? null);
    let vessels: VesselSet | null = values.vessels ? await loadVessels(values.vessels, { ct, ...limits }) : null;
    const centerlines = vessels
      ? null
      : derive
        ? await centerlineRequest(ct, centerlineFlags(values), limits)
        : (totalseg?.centerlines ?? null);
    if (centerlines) {
      input = { ct, pericardium, vessels: null, centerlines, lesions: lesionsOf(values.lesions ?? []) };
    } else {
      if (values.lesions?.length) vessels = withLesions(vessels, values.lesions);
      input = { ct, pericardium, vessels };
    }
  }
  const { ct } = input;
  // Before measuring: a SEG/SR of a CT without DICOM UIDs is refused (unless standalone).
  if (wantDicom) checkDicomSource(ct, values['dicom-standalone']);
  progress.step(`CT ${ct.dims.join('×')} voxels, ${ct.spacing.map((s) => s.toFixed(3)).join('×')} mm`);

  const wantLayers = values['masks-out'] !== undefined || wantDicom;
  const { report, layers } = await runMeasurement(
    input,
    options,
    backendChoice,
    { browserPath: values.browser, runtime: runtimeFrom(values), verbose: values.verbose, wantLayers },
    progress,
  );
  report.warnings.push(...notes);
  // No identifiers by default: the input is named by a case id, its file name only when asked.
  report.input.ct = values['keep-names'] ? basename(ct.source) : caseId;
  report.input.caseId = caseId;
  if (values['sr-out'] && !values['seg-out'])
    report.warnings.push('the SR points at segments of a SEG that was not written: give --seg-out too');

  // Every output to a temporary first; all renamed only when all were written.
  const outputs = new OutputSet();
  const forget = onInterrupt(() => outputs.discard());
  try {
    if (values.out && values.out !== '-') outputs.file(values.out, `${JSON.stringify(report, null, 2)}\n`);
    if (values.csv) outputs.file(values.csv, reportCsv(report));
    if (values['masks-out']) {
      const dir = values['masks-out'];
      const files = maskFiles(input, options, report, layers);
      outputs.folder(dir, files);
    }
    if (wantDicom) {
      const dicom = dicomOutputs(input, options, report, layers, {
        seg: values['seg-out'] !== undefined,
        sr: values['sr-out'] !== undefined,
        standalone: values['dicom-standalone'],
      });
      if (values['seg-out'] && dicom.seg) outputs.file(values['seg-out'], dicom.seg);
      if (values['sr-out'] && dicom.sr) outputs.file(values['sr-out'], dicom.sr);
    }
    outputs.commit();
  } catch (e) {
    outputs.discard();
    throw e;
  } finally {
    forget();
  }
  if (values['masks-out']) progress.step(`masks written to ${named(values['masks-out'])}`);
  if (values['seg-out']) progress.step(`DICOM SEG written to ${named(values['seg-out'])}`);
  if (values['sr-out']) progress.step(`DICOM SR written to ${named(values['sr-out'])}`);
  progress.done();
  // `--out -`: the report on standard output (a stream), the summary then on standard error.
  if (values.out === '-') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!values.quiet) (values.out === '-' ? console.error : console.log)(reportSummary(report));
  return EXIT.ok;
}

interface RunOptions {
  browserPath: string | undefined;
  runtime: RuntimeChoice;
  verbose: boolean;
  wantLayers: boolean;
}

async function runMeasurement(
  input: MeasureInput,
  options: Partial<MeasureOptions>,
  choice: BackendChoice,
  run: RunOptions,
  progress: Progress,
): Promise<{ report: Report; layers: MeasureLayers | null }> {
  const session = await MeasureSession.open({
    backend: choice,
    runtime: run.runtime,
    browserPath: run.browserPath,
    verbose: run.verbose,
    log: (m) => progress.step(m),
  });
  try {
    progress.step(
      session.api === 'webgpu' ? 'measuring on WebGPU' : `measuring on the CPU backend (${defaultThreads()} threads)`,
    );
    return await session.measure(input, options, run.wantLayers);
  } finally {
    await session.close();
  }
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
