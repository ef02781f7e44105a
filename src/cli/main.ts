/**
 * The `perifat` command. Errors print as one clear line (details with --verbose) and map to exit
 * codes scripts can rely on: 0 ok, 1 unexpected, 2 usage, 3 bad input, 4 GPU/runtime, 5 output.
 * A new command is src/cli/<name>-command.ts, dispatched from COMMANDS below.
 */
import { PerifatError } from '../errors';
import { safeText } from '../util/safe-text';
import { installInterruptHandlers } from '../platform/node/cleanup';
import { markMainReached } from './process-start';
import { EXIT, exitCodeFor } from './exit-codes';

/**
 * Each command's module loads when it runs (a dynamic import: a chunk of its own in dist/), so
 * `perifat measure` does not parse the DICOM writer, the cohort statistics or the benchmark.
 */
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  measure: async () => (await import('./measure-command')).measureCommand,
  centerlines: async () => (await import('./centerlines-command')).centerlinesCommand,
  batch: async () => (await import('./batch-command')).batchCommand,
  merge: async () => (await import('./merge-command')).mergeCommand,
  analyze: async () => (await import('./analyze-command')).analyzeCommand,
  bench: async () => (await import('./bench-command')).benchCommand,
  phantom: async () => (await import('./phantom-command')).phantomCommand,
};

/** Every command's usage (their modules all load: only for help and mistakes). */
async function usage(): Promise<string> {
  const [measure, centerlines, batch, merge, analyze, bench] = await Promise.all([
    import('./measure-command'),
    import('./centerlines-command'),
    import('./batch-command'),
    import('./merge-command'),
    import('./analyze-command'),
    import('./bench-command'),
  ]);
  return `perifat — epicardial and pericoronary fat attenuation from cardiac CT (WebGPU)

commands:
  perifat measure --ct CT [--pericardium MASK] [--vessels CENTERLINES] …   measure EAT and FAI
  perifat centerlines --ct CT --coronary-mask MASK --out vessels.json     coronary centerlines, named RCA/LAD/LCx
  perifat batch MANIFEST --out DIR [--shard K/N] [--jobs N] …             measure many cases, resumable
  perifat merge --out DIR SHARD_DIR…                                     join the shards of a batch
  perifat analyze --results DIR --outcomes CSV --outcome COL --out DIR    ROC/AUC, cut-offs, group tests of a cohort
  perifat bench [--quick] [--out bench.json] | --compare A.json B.json    stage timings, WebGPU vs CPU
  perifat phantom --out DIR [--dims 192x192x128] …                        write a synthetic phantom with its truth
  perifat help

${measure.MEASURE_USAGE}

${centerlines.CENTERLINES_USAGE}

${batch.BATCH_USAGE}

${merge.MERGE_USAGE}

${analyze.ANALYZE_USAGE}

${bench.BENCH_USAGE}`;
}

/** The command as a process runs it: SIGINT / SIGTERM clean up and exit with E_INTERRUPTED. */
export function runCli(argv: string[]): Promise<number> {
  markMainReached();
  installInterruptHandlers();
  return main(argv);
}

/** A message on one line, control characters shown escaped (file text never drives the terminal). */
function oneLine(s: string): string {
  return safeText(s.split('\n')[0] ?? '');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = rest.includes('--verbose');
  try {
    const load = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) return await (await load())(rest);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      console.log(await usage());
      return EXIT.ok;
    }
    console.error(`perifat: unknown command "${command}"\n\n${await usage()}`);
    return EXIT.usage;
  } catch (e) {
    if (e instanceof PerifatError) {
      console.error(`perifat: ${e.code}: ${oneLine(e.message)}`);
      if (verbose && e.details) console.error(e.details);
      if (verbose && e.stack) console.error(e.stack);
      return exitCodeFor(e.code);
    }
    // parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS code.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`perifat: E_USAGE: ${oneLine((e as Error).message)}`);
      return EXIT.usage;
    }
    console.error(`perifat: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    if (verbose && e instanceof Error && e.stack) console.error(e.stack);
    return EXIT.unexpected;
  }
}
