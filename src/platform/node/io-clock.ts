/**
 * Where a case's loading time goes: the spans during which a file was being read and a gzip
 * stream inflated, kept per case through AsyncLocalStorage (a batch reads the next case while the
 * current one computes, so a process-wide tally would mix them). Each kind's figure is the length
 * of the union of its spans: wall time with at least one read (or inflate) in flight, so two masks
 * read side by side count once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type IoKind = 'read' | 'inflate';

export class IoClock {
  private readonly spans: Record<IoKind, [number, number][]> = { read: [], inflate: [] };

  add(kind: IoKind, from: number, to: number): void {
    this.spans[kind].push([from, to]);
  }

  /** Milliseconds of wall time with at least one span of this kind open. */
  wallMs(kind: IoKind): number {
    const s = [...this.spans[kind]].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = -Infinity;
    for (const [a, b] of s) {
      if (b <= end) continue;
      total += b - Math.max(a, end);
      end = b;
    }
    return total;
  }

  /** Runs `work` with this clock as the one its reads and inflates are timed on. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return current.run(this, work);
  }
}

const current = new AsyncLocalStorage<IoClock>();

/** `work`, its span added to the clock of the case it runs for (if any). */
export async function timedIo<T>(kind: IoKind, work: () => Promise<T>): Promise<T> {
  const clock = current.getStore();
  if (!clock) return work();
  const from = performance.now();
  try {
    return await work();
  } finally {
    clock.add(kind, from, performance.now());
  }
}
