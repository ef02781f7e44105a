/**
 * Resident memory of a process and all its descendants (Linux /proc; null elsewhere): the batch
 * log records the browser's (its GPU and renderer processes included) next to Node's own, so a
 * long run shows whether either grows. Shared pages count once per process, so it is an upper
 * bound whose trend, not its level, is the point.
 */
import { readFileSync, readdirSync } from 'node:fs';

export function processTreeRssMb(root: number | undefined): number | null {
  if (root === undefined || process.platform !== 'linux') return null;
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    try {
      // The parent is the 2nd field after the parenthesised command name (which may hold spaces).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(pid);
      children.set(ppid, list);
    } catch {
      // Exited meanwhile.
    }
  }
  let kb = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // Exited meanwhile.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return Math.round(kb / 1024);
}
