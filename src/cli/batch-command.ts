/**
 * `perifat batch`: many cases through one measurement session (one browser whose page keeps its
 * device and compiled pipelines, or one pool of CPU workers), each case read from disk while the
 * one before it computes. Every case ends as a report or a recorded failure, written whole; the
 * batch goes on past a bad case; a rerun skips what is done; `--shard K/N` takes a stable slice.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BatchCase, CASE_ID, parseShard, readManifest, shardOf } from '../batch/manifest';
import { fingerprint, unchanged, type InputFingerprint } from '../batch/fingerprint';
import { lockBatchFolder } from '../batch/lock';
import {
  BATCH_SCHEMA,
  type BatchRecord,
  BatchStore,
  deterministic,
  FAILURE_SCHEMA,
  type FailureRecord,
} from '../batch/store';
import { PerifatError } from '../errors';
import type { MeasureInput } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import { interrupted } from '../platform/node/cleanup';
import { checkOutputFolder } from '../platform/node/path-guard';
import { loadCaseFiles, loadCt, loadLabels, loadVessels } from '../platform/node/load';
import { IoClock } from '../platform/node/io-clock';
import { type BackendChoice, MeasureSession } from '../platform/node/session';
import { gpuPresence } from '../platform/node/gpu-presence';
import { ShellWorkerPool } from '../platform/node/worker-pool';
import { PERIFAT_VERSION } from '../version';
import {
  MEASURE_OPTION_FLAGS,
  measureOptionsFrom,
  readLimitsFrom,
  RUNTIME_FLAG,
  RUNTIME_USAGE,
  runtimeFrom,
} from './args';
import type { ReadLimits } from '../io/limits';
import { OrderedLog } from './batch-log';
import { BatchProgress } from './batch-progress';
import { lesionsOf, maskFiles, withLesions } from './case-inputs';
import { dicomOutputs } from '../io/dicom-outputs';
import { centerlineRequest, totalsegInputs } from './centerline-inputs';
import { caseInputs, loadCase } from './case-file';
import { EXIT } from './exit-codes';
import { addFixedCosts } from './fixed-costs';

export const BATCH_USAGE = `usage: perifat batch MANIFEST --out DIR [options]
       perifat batch --case cases/A.json [--case cases/B.json …] --out DIR [options]
  MANIFEST               CSV (header: caseId,ct[,pericardium,vessels,coronaryMask,aorta,totalseg,lesions,kvp]; or a "case" column
                         naming perifat-case/1 files) or JSON lines with the same keys; paths relative
                         to the manifest
  --out DIR              reports/<caseId>.json, failures/<caseId>.json, results.csv (one row per case,
                         the columns of measure --csv), failures.csv (caseId,code,message,file),
                         batch.json, batch-log.jsonl (time and memory per case)
  --shard K/N            only the cases whose stable hash of caseId falls in shard K of N (0 ≤ K < N)
  --jobs N               measure N cases at once (default: one per core on the CPU backend, whose
                         cases share one pool of worker threads; 1 browser page on WebGPU)
  --masks                also write masks/<caseId>/ (as measure --masks-out)
  --seg                  also write reports/<caseId>.seg.dcm, a DICOM SEG (as measure --seg-out); a case
                         whose CT is not DICOM gets none, and a warning in its report
  --sr                   also write reports/<caseId>.sr.dcm, the TID 1500 SR (as measure --sr-out)
  --dicom-standalone     SEG/SR also for a CT that is not DICOM (new study and UIDs, no patient)
  --force                measure every case again, even those whose report is up to date
  --verify               decide "up to date" by a SHA-256 of the inputs instead of size and mtime
  --retry-failed         retry cases that failed on their input (by default only on changed inputs)
  --case-timeout S       record a case that runs longer than S seconds as E_TIMEOUT (default 1800)
  --backend B            webgpu | cpu | auto (default auto, as measure)
  --browser PATH         Chrome/Chromium executable
${RUNTIME_USAGE}
  --fat-window, --segment, --wall-gap, --calcium-guard, --axial-slices, --axial-mm, --label, --strict, --kvp, --max-voxels,
  --max-points
                         as measure, for every case (a manifest's kvp column wins for its row)
  --quiet                no progress
  --verbose              details on errors, page console
Exit code 0 when every case was measured or recorded as failed (failures.csv lists them); the
usual codes when the batch itself could not run.`;

interface Job {
  readonly c: BatchCase;
  readonly fp: InputFingerprint;
  /** Its place among the cases to measure: batch-log.jsonl keeps this order. */
  readonly seq: number;
}

interface Loaded {
  input: MeasureInput;
  options: Partial<MeasureOptions>;
  notes: string[];
  /** Loading's costs (load, read, inflate: src/cli/fixed-costs.ts), for the report's timingsMs. */
  costs?: Record<string, number>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export async function batchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MEASURE_OPTION_FLAGS,
      out: { type: 'string' },
      case: { type: 'string', multiple: true },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      masks: { type: 'boolean', default: false },
      seg: { type: 'boolean', default: false },
      sr: { type: 'boolean', default: false },
      'dicom-standalone': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      'retry-failed': { type: 'boolean', default: false },
      'case-timeout': { type: 'string', default: '1800' },
      backend: { type: 'string', default: 'auto' },
      browser: { type: 'string' },
      ...RUNTIME_FLAG,
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(BATCH_USAGE);
    return EXIT.ok;
  }
  const usage = (m: string): never => {
    throw new PerifatError('E_USAGE', `${m}\n${BATCH_USAGE}`);
  };
  if (!values.out) usage('--out DIR is required');
  if (positionals.length > 1) usage(`one manifest, got ${positionals.length}`);
  const manifest = positionals[0];
  if (!manifest === !values.case?.length) usage('give a MANIFEST or --case files (one of them)');
  const backend = values.backend;
  if (backend !== 'webgpu' && backend !== 'cpu' && backend !== 'auto') {
    usage(`--backend must be webgpu, cpu or auto, got "${backend}"`);
  }
  const jobsFlag = values.jobs === undefined ? null : Number(values.jobs);
  if (jobsFlag !== null && !(Number.isInteger(jobsFlag) && jobsFlag >= 1 && jobsFlag <= 64))
    usage(`--jobs expects 1–64, got "${values.jobs}"`);
  const timeoutS = Number(values['case-timeout']);
  if (!(timeoutS > 0)) usage(`--case-timeout expects seconds > 0, got "${values['case-timeout']}"`);
  if (values['dicom-standalone'] && !values.seg && !values.sr) usage('--dicom-standalone goes with --seg or --sr');
  const wanted: Outputs = {
    masks: values.masks,
    seg: values.seg,
    sr: values.sr,
    standalone: values['dicom-standalone'],
  };
  const limits = readLimitsFrom(values);
  const runtime = runtimeFrom(values);
  const shard = values.shard !== undefined ? parseShard(values.shard) : null;
  const common = measureOptionsFrom(values);

  const all: BatchCase[] = manifest
    ? readManifest(manifest)
    : (values.case ?? []).map((f) => ({
        caseId: caseIdOfFile(f),
        caseFile: resolve(f),
      }));
  const cases = shard ? all.filter((c) => shardOf(c.caseId, shard.n) === shard.k) : all;
  const store = new BatchStore(values.out as string);
  const inputs = new Map(cases.map((c) => [c.caseId, inputsOf(c)]));
  checkOutputFolder([...inputs.values()].flat(), values.out as string);
  store.makeFolders();
  const lock = lockBatchFolder(values.out as string, shard ? `${shard.k}/${shard.n}` : null, (m) => console.error(m));
  try {
    const previous = store.batch();
    if (previous && JSON.stringify(previous.shard ?? null) !== JSON.stringify(shard)) {
      const name = (s: BatchRecord['shard']) => (s ? `shard ${s.k}/${s.n}` : 'an unsharded batch');
      throw new PerifatError(
        'E_OPTIONS',
        `holds ${name(previous.shard)}, not ${name(shard)}: give each shard its own --out and join them with perifat merge`,
        { file: values.out as string },
      );
    }
    store.open({
      schema: BATCH_SCHEMA,
      perifat: PERIFAT_VERSION,
      manifest: manifest ? resolve(manifest) : null,
      shard,
      cases: cases.map((c) => c.caseId),
    });

    // What is already done: a report (or an input failure) recorded for the same inputs and options.
    const todo: Job[] = [];
    let upToDate = 0;
    for (const c of cases) {
      const key = JSON.stringify({
        perifat: PERIFAT_VERSION,
        options: optionsOf(c, common),
        masks: values.masks,
        ...(wanted.seg || wanted.sr ? { dicom: wanted } : {}),
      });
      const fp = fingerprint(inputs.get(c.caseId) ?? [], key, values.verify);
      if (!values.force) {
        const report = store.report(c.caseId);
        if (report && unchanged(report.input.fingerprint, fp)) {
          // The inputs are back as they were measured (a share remounted): the report is current again.
          store.clearFailure(c.caseId);
          upToDate++;
          continue;
        }
        const failure = store.failure(c.caseId);
        if (failure && !values['retry-failed'] && deterministic(failure.code) && unchanged(failure.fingerprint, fp)) {
          upToDate++;
          continue;
        }
      }
      todo.push({ c, fp, seq: todo.length });
    }

    const progress = new BatchProgress(todo.length, upToDate, !values.quiet);
    progress.line(
      `perifat batch: ${cases.length} cases${shard ? ` (shard ${shard.k}/${shard.n} of ${all.length})` : ''}, ` +
        `${todo.length} to measure, ${upToDate} up to date`,
    );
    const logPath = join(values.out as string, 'batch-log.jsonl');
    const lanes = batchLanes(backend as BackendChoice, jobsFlag, todo.length > 0);
    const log = new OrderedLog(logPath);
    let next = 0;
    // After SIGINT / SIGTERM no new case starts (the cleanup handlers exit the process).
    const claim = (): Job | undefined => (interrupted() ? undefined : todo[next++]);

    const lane = async (): Promise<void> => {
      if (next >= todo.length) return;
      const session = await MeasureSession.open({
        backend: backend as BackendChoice,
        runtime,
        browserPath: values.browser,
        verbose: values.verbose,
        threads: lanes.threads,
        ...(lanes.pool ? { pool: lanes.pool, offMainThread: true } : {}),
        log: (m) => progress.line(m),
      });
      try {
        let job = claim();
        let loading = job ? settle(loadTimed(job.c, common, limits)) : null;
        while (job && loading) {
          const current = job;
          const loaded = await loading;
          // The next case is read from disk while this one computes.
          job = claim();
          loading = job ? settle(loadTimed(job.c, common, limits)) : null;
          const t0 = performance.now();
          let outcome: { ok: true } | { ok: false; failure: FailureRecord };
          try {
            if (!loaded.ok) throw loaded.error;
            await measureOne(session, store, current, loaded.value, wanted, timeoutS);
            outcome = { ok: true };
          } catch (e) {
            // A case cut short by the interruption is not a failure of the case: it is redone next run.
            if (interrupted() || (e instanceof PerifatError && e.code === 'E_INTERRUPTED')) throw e;
            const failure = failureOf(current, e);
            if (store.saveFailure(failure)) failure.message += ' (the earlier report is kept, marked stale)';
            outcome = { ok: false, failure };
          }
          const seconds = (performance.now() - t0) / 1000;
          const mem = process.memoryUsage();
          const browserMb = session.browserRssMb();
          log.add(
            current.seq,
            JSON.stringify({
              caseId: current.c.caseId,
              ok: outcome.ok,
              ...(outcome.ok ? {} : { code: outcome.failure.code }),
              seconds: Math.round(seconds * 1000) / 1000,
              rssMb: Math.round(mem.rss / 2 ** 20),
              heapMb: Math.round(mem.heapUsed / 2 ** 20),
              ...(browserMb !== null ? { browserRssMb: browserMb } : {}),
              backend: session.api,
            }),
          );
          progress.caseEnded(
            current.c.caseId,
            outcome.ok,
            seconds,
            outcome.ok ? '' : `${outcome.failure.code}: ${outcome.failure.message}`,
          );
        }
      } finally {
        await session.close();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(lanes.count, Math.max(1, todo.length)) }, lane));
    } finally {
      log.close();
      await lanes.pool?.close();
      progress.finish();
    }
    const tables = store.rebuildTables(cases.map((c) => c.caseId));
    if (!values.quiet) {
      console.error(
        `perifat batch: ${tables.reports} reports, ${tables.failures} failed → ${join(values.out as string, 'results.csv')}` +
          (tables.failures ? `, ${join(values.out as string, 'failures.csv')}` : '') +
          (tables.stale ? ` (${tables.stale} kept from an earlier run, marked stale)` : ''),
      );
    }
    return EXIT.ok;
  } finally {
    lock.release();
  }
}

/**
 * How many cases run at once, and on what. On the CPU backend (forced, or `auto` without a GPU)
 * every lane shares one pool of worker threads, one per core, started once for the whole batch;
 * the classification runs there only, so the main thread reads, plans and writes the other lanes'
 * cases meanwhile, and by default there is a lane per core. On WebGPU each lane is a page (one by
 * default), and a lane that falls back to the CPU gets threads of its own.
 */
function batchLanes(
  backend: BackendChoice,
  jobs: number | null,
  work: boolean,
): { count: number; threads: number; pool: ShellWorkerPool | null } {
  const cores = availableParallelism();
  if (backend === 'cpu' || (backend === 'auto' && !gpuPresence().likely)) {
    return { count: jobs ?? cores, threads: cores, pool: work ? new ShellWorkerPool(cores) : null };
  }
  const count = jobs ?? 1;
  return { count, threads: Math.max(1, Math.floor(cores / count)), pool: null };
}

async function measureOne(
  session: MeasureSession,
  store: BatchStore,
  job: Job,
  loaded: Loaded,
  wanted: Outputs,
  timeoutS: number,
): Promise<void> {
  const dicom = wanted.seg || wanted.sr;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(timeoutError(timeoutS)), timeoutS * 1000);
  let result;
  try {
    const t0 = performance.now();
    result = await session.measure(loaded.input, loaded.options, wanted.masks || dicom, timeout.signal);
    // A result that came after the limit is still a timeout (the limit is the contract, not a hint);
    // timed here too, as the timer cannot fire while the main thread is busy.
    if (performance.now() - t0 > timeoutS * 1000) throw timeoutError(timeoutS);
  } catch (e) {
    if (timeout.signal.aborted) throw timeout.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const { report, layers } = result;
  report.warnings.push(...loaded.notes);
  Object.assign(report.timingsMs, loaded.costs);
  report.input.ct = job.c.caseId;
  report.input.caseId = job.c.caseId;
  report.input.fingerprint = job.fp;
  const masks = wanted.masks ? maskFiles(loaded.input, loaded.options, report, layers) : null;
  let files: { seg: Uint8Array | null; sr: Uint8Array | null } = { seg: null, sr: null };
  if (dicom && (loaded.input.ct.dicom || wanted.standalone))
    files = dicomOutputs(loaded.input, loaded.options, report, layers, wanted);
  else if (dicom)
    report.warnings.push(
      'no DICOM SEG/SR: the CT is not a DICOM series (--dicom-standalone writes standalone objects)',
    );
  store.saveReport(job.c.caseId, report, masks, files);
}

/** The outputs every case writes besides its report. */
interface Outputs {
  readonly masks: boolean;
  readonly seg: boolean;
  readonly sr: boolean;
  readonly standalone: boolean;
}

/** The files a case reads: what its fingerprint covers. */
function inputsOf(c: BatchCase): string[] {
  if (c.caseFile) return [c.caseFile, ...caseInputs(c.caseFile)];
  return [
    c.ct,
    c.pericardium,
    c.vessels,
    c.coronaryMask,
    c.aorta,
    c.totalseg,
    c.lesions?.toLowerCase().endsWith('.json') ? c.lesions : undefined,
  ].filter((p): p is string => p !== undefined);
}

function optionsOf(c: BatchCase, common: Partial<MeasureOptions>): Partial<MeasureOptions> {
  return c.kvp !== undefined ? { ...common, kvp: c.kvp } : common;
}

/** loadJob with its reads and inflates timed on a clock of its own (cases load while others compute). */
async function loadTimed(c: BatchCase, common: Partial<MeasureOptions>, limits: ReadLimits): Promise<Loaded> {
  const clock = new IoClock();
  const from = performance.now();
  const loaded = await clock.run(() => loadJob(c, common, limits));
  const costs: Record<string, number> = {};
  addFixedCosts(costs, clock, performance.now() - from, false);
  return { ...loaded, costs };
}

async function loadJob(c: BatchCase, common: Partial<MeasureOptions>, limits: ReadLimits): Promise<Loaded> {
  const lesions = c.lesions !== undefined ? [c.lesions] : [];
  if (c.caseFile) {
    const loaded = await loadCase(c.caseFile, limits);
    const derive = loaded.input.centerlines && !loaded.input.vessels;
    const vessels = lesions.length && !derive ? withLesions(loaded.input.vessels, lesions) : loaded.input.vessels;
    return {
      input: { ...loaded.input, vessels, ...(derive && lesions.length ? { lesions: lesionsOf(lesions) } : {}) },
      options: { ...loaded.options, ...optionsOf(c, common) },
      notes: loaded.notes,
    };
  }
  if (!c.totalseg && !c.coronaryMask) {
    // The plain case: CT, mask and centerlines, the last two read while the CT inflates.
    const files = await loadCaseFiles({ ct: c.ct as string, pericardium: c.pericardium, vessels: c.vessels }, limits);
    const vessels = lesions.length ? withLesions(files.vessels, lesions) : files.vessels;
    return {
      input: { ct: files.ct, pericardium: files.pericardium, vessels },
      options: optionsOf(c, common),
      notes: [],
    };
  }
  const ct = await loadCt(c.ct as string, limits);
  if (c.vessels && c.coronaryMask)
    throw new PerifatError('E_OPTIONS', 'a case gives vessels or a coronaryMask to derive them from, not both');
  const totalseg = c.totalseg ? await totalsegInputs(c.totalseg, ct, limits) : null;
  const derive = !c.vessels && (c.coronaryMask !== undefined || totalseg?.centerlines);
  const notes = (totalseg?.notes ?? []).filter((n) => derive || !n.includes('centerlines'));
  const pericardium = c.pericardium
    ? await loadLabels(c.pericardium, { onto: ct, ...limits })
    : (totalseg?.pericardium ?? null);
  if (derive) {
    const centerlines = c.coronaryMask
      ? await centerlineRequest(ct, { coronaryMask: c.coronaryMask, aorta: c.aorta }, limits)
      : (totalseg?.centerlines ?? null);
    return {
      input: { ct, pericardium, vessels: null, centerlines, lesions: lesionsOf(lesions) },
      options: optionsOf(c, common),
      notes,
    };
  }
  let vessels = c.vessels ? await loadVessels(c.vessels, { ct, ...limits }) : null;
  if (lesions.length) vessels = withLesions(vessels, lesions);
  return { input: { ct, pericardium, vessels }, options: optionsOf(c, common), notes };
}

function failureOf(job: Job, e: unknown): FailureRecord {
  const base = { schema: FAILURE_SCHEMA, caseId: job.c.caseId, fingerprint: job.fp } as const;
  if (e instanceof PerifatError) {
    const first = e.message.split('\n')[0] ?? '';
    const prefix = e.file !== undefined ? `${e.file}: ` : '';
    return {
      ...base,
      code: e.code,
      message: prefix && first.startsWith(prefix) ? first.slice(prefix.length) : first,
      ...(e.file !== undefined ? { file: e.file } : {}),
    };
  }
  return { ...base, code: 'E_UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
}

function caseIdOfFile(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const id = name.replace(/\.json$/i, '');
  if (!CASE_ID.test(id)) {
    throw new PerifatError('E_USAGE', `the case file name "${id}" cannot be a case id (letters, digits, . _ -)`);
  }
  return id;
}

const timeoutError = (s: number) => new PerifatError('E_TIMEOUT', `the case ran longer than ${s} s`);
