/**
 * `perifat merge --out DIR SHARD_DIR…`: the shards of a batch (`perifat batch --shard K/N`) joined
 * into one results.csv and failures.csv, the same as one process over the whole manifest would
 * write, with the shards' reports/ and failures/ gathered beside them (so `analyze --results DIR`
 * has the radial profiles), and merge.json naming the cases that are missing (no report, no failure), failed, or
 * recorded by more than one shard, and the shards that are absent.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readManifest } from '../batch/manifest';
import { BatchStore, type FailureRecord, writeTables } from '../batch/store';
import { PerifatError } from '../errors';
import type { Report } from '../measure/report-types';
import { OutputSet } from '../platform/node/output-set';
import { EXIT } from './exit-codes';

export const MERGE_USAGE = `usage: perifat merge --out DIR SHARD_DIR…
  joins the --out folders of perifat batch runs (one per shard) into DIR/results.csv,
  DIR/failures.csv, DIR/reports/, DIR/failures/ (copies of the shards' records) and DIR/merge.json
  (missing, failed, stale and duplicated cases, absent shards)
  --quiet                no summary`;

export const MERGE_SCHEMA = 'perifat-merge/1';

export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(MERGE_USAGE);
    return EXIT.ok;
  }
  if (!values.out || positionals.length === 0) {
    throw new PerifatError('E_USAGE', `give --out DIR and at least one shard folder\n${MERGE_USAGE}`);
  }
  const expected = new Set<string>();
  const reports = new Map<string, Report>();
  const failures = new Map<string, FailureRecord>();
  const duplicated = new Set<string>();
  const shardsSeen = new Set<number>();
  const shardCounts = new Set<number>();
  const manifests = new Set<string>();
  const stale = new Set<string>();
  for (const dir of positionals) {
    if (resolve(dir) === resolve(values.out)) {
      throw new PerifatError('E_OPTIONS', 'the merged folder must not be one of the shard folders', { file: dir });
    }
    const store = new BatchStore(dir);
    const batch = store.batch();
    if (!batch || !Array.isArray(batch.cases)) {
      throw new PerifatError('E_INPUT_FORMAT', 'not a perifat batch folder (no readable batch.json)', { file: dir });
    }
    if (batch.shard) {
      if (shardsSeen.has(batch.shard.k)) {
        throw new PerifatError('E_INPUT_FORMAT', `shard ${batch.shard.k}/${batch.shard.n} is given twice`, {
          file: dir,
        });
      }
      shardsSeen.add(batch.shard.k);
      shardCounts.add(batch.shard.n);
    }
    if (batch.manifest) manifests.add(batch.manifest);
    const recorded = store.recordedIds();
    const has = { reports: new Set(recorded.reports), failures: new Set(recorded.failures) };
    for (const id of batch.cases) {
      expected.add(id);
      const report = has.reports.has(id) ? store.report(id) : null;
      const failure = has.failures.has(id) ? store.failure(id) : null;
      if (!report && !failure) continue;
      if (reports.has(id) || (failures.has(id) && !stale.has(id))) duplicated.add(id);
      // A report wins over a failure recorded elsewhere; otherwise the first shard's record stays.
      // A report with a failure beside it in its own shard is stale: both are kept, as batch does.
      if (report && !reports.has(id)) {
        reports.set(id, report);
        failures.delete(id);
        if (failure) {
          failures.set(id, failure);
          stale.add(id);
        }
      } else if (!report && failure && !reports.has(id) && !failures.has(id)) failures.set(id, failure);
    }
  }
  if (shardCounts.size > 1) {
    throw new PerifatError(
      'E_INPUT_FORMAT',
      `the folders are shards of different splits (N = ${[...shardCounts].join(', ')})`,
    );
  }
  // The manifest, where the shards name one that is still readable, tells the cases of absent shards.
  const [manifest] = manifests;
  if (manifests.size === 1 && manifest !== undefined) {
    try {
      for (const c of readManifest(manifest)) expected.add(c.caseId);
    } catch {
      // Moved or changed since: the shards' own lists stand.
    }
  }
  const n = [...shardCounts][0];
  const absentShards = n === undefined ? [] : Array.from({ length: n }, (_, k) => k).filter((k) => !shardsSeen.has(k));
  const ids = [...expected].sort();
  const missing = ids.filter((id) => !reports.has(id) && !failures.has(id));
  const byId = <T>(m: Map<string, T>) => [...m.keys()].sort().map((id) => m.get(id) as T);
  // The records themselves too, so the merged folder reads as one batch's (analyze --results DIR
  // finds the radial profiles only in the reports).
  gatherRecords(values.out, reports, failures);
  writeTables(values.out, byId(reports), byId(failures), stale);
  const summary = {
    schema: MERGE_SCHEMA,
    shards: positionals.length,
    ...(n !== undefined ? { shardCount: n, absentShards } : {}),
    manifests: [...manifests],
    cases: ids.length,
    reports: reports.size,
    stale: [...stale].sort(),
    failed: [...failures.keys()].sort(),
    missing,
    duplicated: [...duplicated].sort(),
  };
  const out = new OutputSet();
  out.file(join(values.out, 'merge.json'), `${JSON.stringify(summary, null, 2)}\n`);
  out.commit();
  if (!values.quiet) {
    const list = (xs: readonly (string | number)[]) =>
      xs.length ? `: ${xs.slice(0, 20).join(', ')}${xs.length > 20 ? ` … (${xs.length})` : ''}` : '';
    console.error(`perifat merge: ${ids.length} cases, ${reports.size} reports → ${join(values.out, 'results.csv')}`);
    if (failures.size) console.error(`  failed ${failures.size}${list(summary.failed)}`);
    if (missing.length) console.error(`  missing ${missing.length}${list(missing)}`);
    if (duplicated.size) console.error(`  in more than one shard ${duplicated.size}${list(summary.duplicated)}`);
    if (absentShards.length) console.error(`  absent shards of ${n}${list(absentShards)}`);
    if (manifests.size > 1) console.error(`  the shards name ${manifests.size} different manifests`);
  }
  return EXIT.ok;
}

/**
 * Copies of the merged records in DIR/reports and DIR/failures, each written whole; records of an
 * earlier merge into DIR that this one no longer has are removed. A DIR whose reports/ perifat
 * merge did not write (no merge.json beside it) is refused rather than mixed into.
 */
function gatherRecords(
  dir: string,
  reports: ReadonlyMap<string, Report>,
  failures: ReadonlyMap<string, FailureRecord>,
) {
  const ours = existsSync(join(dir, 'merge.json'));
  for (const [sub, records] of [
    ['reports', reports],
    ['failures', failures],
  ] as const) {
    const folder = join(dir, sub);
    if (existsSync(folder)) {
      if (!ours) {
        throw new PerifatError('E_OPTIONS', `holds ${sub}/ that perifat merge did not write; choose a new --out`, {
          file: dir,
        });
      }
      for (const name of readdirSync(folder)) {
        if (name.endsWith('.json') && !records.has(name.slice(0, -5))) rmSync(join(folder, name), { force: true });
      }
    }
    mkdirSync(folder, { recursive: true });
    const out = new OutputSet();
    for (const [id, record] of records) out.file(join(folder, `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
    out.commit();
  }
}
