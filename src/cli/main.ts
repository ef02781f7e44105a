/**
 * The `perifat` command. Errors print as one clear line (details with --verbose) and map to exit
 * codes scripts can rely on: 0 ok, 1 unexpected, 2 usage, 3 bad input, 4 GPU/runtime, 5 output.
 * A new command is src/cli/<name>-command.ts, dispatched from the switch below.
 */
import { PerifatError } from '../errors';
import { safeText } from '../util/safe-text';
import { installInterruptHandlers } from '../platform/node/cleanup';
import { phantomCommand } from './phantom-command';
import { EXIT, exitCodeFor } from './exit-codes';
import { ANALYZE_USAGE, analyzeCommand } from './analyze-command';
import { BATCH_USAGE, batchCommand } from './batch-command';
import { BENCH_USAGE, benchCommand } from './bench-command';
import { CENTERLINES_USAGE, centerlinesCommand } from './centerlines-command';
import { MEASURE_USAGE, measureCommand } from './measure-command';
import { MERGE_USAGE, mergeCommand } from './merge-command';

const USAGE = `perifat — epicardial and pericoronary fat attenuation from cardiac CT (WebGPU)

commands:
  perifat measure --ct CT [--pericardium MASK] [--vessels CENTERLINES] …   measure EAT and FAI
  perifat centerlines --ct CT --coronary-mask MASK --out vessels.json     coronary centerlines, named RCA/LAD/LCx
  perifat batch MANIFEST --out DIR [--shard K/N] [--jobs N] …             measure many cases, resumable
  perifat merge --out DIR SHARD_DIR…                                     join the shards of a batch
  perifat analyze --results DIR --outcomes CSV --outcome COL --out DIR    ROC/AUC, cut-offs, group tests of a cohort
  perifat bench [--quick] [--out bench.json] | --compare A.json B.json    stage timings, WebGPU vs CPU
  perifat phantom --out DIR [--dims 192x192x128] …                        write a synthetic phantom with its truth
  perifat help

${MEASURE_USAGE}

${CENTERLINES_USAGE}

${BATCH_USAGE}

${MERGE_USAGE}

${ANALYZE_USAGE}

${BENCH_USAGE}`;

/** The command as a process runs it: SIGINT / SIGTERM clean up and exit with E_INTERRUPTED. */
export function runCli(argv: string[]): Promise<number> {
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
    switch (command) {
      case 'measure':
        return await measureCommand(rest);
      case 'centerlines':
        return await centerlinesCommand(rest);
      case 'batch':
        return await batchCommand(rest);
      case 'merge':
        return await mergeCommand(rest);
      case 'analyze':
        return await analyzeCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case 'phantom':
        return await phantomCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return EXIT.ok;
      default:
        console.error(`perifat: unknown command "${command}"\n\n${USAGE}`);
        return EXIT.usage;
    }
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
