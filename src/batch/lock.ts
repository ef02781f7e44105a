/**
 * One batch process per output folder. Two processes writing one folder would each rebuild
 * results.csv from their own cases and name only their own shard in batch.json, so the second is
 * refused, naming the holder. The lock is a file created exclusively (O_EXCL, atomic on local file
 * systems and NFSv3+); a lock left by a process that died (same host, pid gone) is taken over and
 * said, one held on another host is refused until removed by hand (perifat cannot see that process).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PerifatError } from '../errors';
import { onInterrupt } from '../platform/node/cleanup';

export const LOCK_FILE = '.perifat-batch.lock';

interface Holder {
  pid: number;
  host: string;
  started: string;
  shard: string | null;
}

export interface BatchLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string'
      ? { pid: h.pid, host: h.host, started: String(h.started ?? '?'), shard: h.shard ?? null }
      : null;
  } catch {
    return null;
  }
}

/**
 * Takes the folder's lock or throws E_OUTPUT naming its holder; `say` hears a stale lock taken over.
 * The lock goes with `release()`, and on SIGINT / SIGTERM.
 */
export function lockBatchFolder(dir: string, shard: string | null, say: (m: string) => void): BatchLock {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), shard };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
        forget();
      };
      const forget = onInterrupt(release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PerifatError('E_OUTPUT', `cannot create the batch lock: ${(e as Error).message}`, {
          file: path,
          cause: e,
        });
      }
    }
    const holder = readHolder(path);
    const dead = holder !== null && holder.host === me.host && !alive(holder.pid);
    if (!dead || attempt > 0) {
      const who = holder
        ? `process ${holder.pid} on ${holder.host} since ${holder.started}${holder.shard ? ` (shard ${holder.shard})` : ''}`
        : 'a process whose lock file is unreadable';
      throw new PerifatError(
        'E_OUTPUT',
        `another perifat batch is writing this folder: ${who}; give each process its own --out ` +
          `(perifat merge joins them), or remove ${LOCK_FILE} if that process is gone`,
        { file: dir },
      );
    }
    say(`perifat batch: taking over the lock of process ${holder.pid}, which is gone (${path})`);
    rmSync(path, { force: true });
  }
  throw new PerifatError('E_OUTPUT', 'could not take the batch lock', { file: dir });
}
