/**
 * A run's costs besides the measurement, into its report's timingsMs (ms):
 *   start    process start → the command's main (Node's start-up, loading perifat's modules);
 *            only when perifat is the process (`perifat measure`), not inside another program
 *   load     wall time of reading every input until the case is in memory (read, inflate, parse)
 *   read     wall time with a file read in flight
 *   inflate  wall time with a gzip stream inflating (on libuv's threads, beside the reads)
 *   write    encoding and writing the outputs besides the report (CSV, masks, SEG/SR): the report
 *            is serialised after it; --verbose prints the time of every output
 * The measurement's own stages keep their keys: plan = fai.plan, classify = fai.classify,
 * statistics = fai.stats (the pericoronary layers' fat statistics; `eat` the EAT's, whole).
 */
import type { IoClock } from '../platform/node/io-clock';
import { startMs } from './process-start';

/** `withStart`: the process is this one case's (`perifat measure`), not a batch's. */
export function addFixedCosts(
  timings: Record<string, number>,
  clock: IoClock,
  loadMs: number,
  withStart: boolean,
): void {
  const start = withStart ? startMs() : null;
  if (start !== null) timings['start'] = start;
  timings['load'] = loadMs;
  timings['read'] = clock.wallMs('read');
  timings['inflate'] = clock.wallMs('inflate');
}

/** One line naming each cost, for --verbose (`writeAllMs`: every output, the report's own included). */
export function fixedCostLine(t: Readonly<Record<string, number>>, writeAllMs: number): string {
  const f = (k: string) => (t[k] === undefined ? '—' : t[k].toFixed(0));
  return (
    `timings ms: start ${f('start')} · load ${f('load')} (read ${f('read')}, inflate ${f('inflate')}) · ` +
    `eat ${f('eat')} · plan ${f('fai.plan')} · classify ${f('fai.classify')} · statistics ${f('fai.stats')} · ` +
    `measure ${f('total')} · write ${writeAllMs.toFixed(0)}`
  );
}
