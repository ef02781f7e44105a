/**
 * Worker threads of the float64 classification, started ahead and kept: `perifat measure` starts
 * them while it reads the CT, `perifat batch` keeps them for every case, so no case waits for a
 * thread (and its copy of the classification's modules) to boot. A worker is lent to one
 * classification at a time and given back when it answered; one that failed or was left busy by a
 * cancel is terminated and replaced on the next loan. Job splitting is the classifier's
 * (shell-workers.ts); the pool only holds the threads.
 */
import { Worker } from 'node:worker_threads';

/** Starts a worker on shell-worker (through tsx when running from TypeScript sources). */
export function startShellWorker(): Worker {
  const url = new URL(`./shell-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(url);
}

export class ShellWorkerPool {
  private readonly idle: Worker[] = [];
  /** Loans waiting, first come first served: a classification gets all its workers at once. */
  private readonly waiting: { n: number; grant: (ws: Worker[]) => void }[] = [];
  private readonly all = new Set<Worker>();
  private closed = false;

  /** `size` workers, started now (they boot while the caller reads its inputs). */
  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const w = startShellWorker();
    // An idle pool never keeps the process alive: the CLI exits when its work is done.
    w.unref();
    // A worker that dies between loans is replaced on the next one.
    w.on('error', () => this.forget(w));
    w.on('exit', () => this.forget(w));
    this.all.add(w);
    return w;
  }

  private forget(w: Worker): void {
    this.all.delete(w);
    const at = this.idle.indexOf(w);
    if (at >= 0) this.idle.splice(at, 1);
    this.serve();
  }

  /**
   * `n` workers (at most the pool's size) for one classification, all at once: two classifications
   * sharing the pool never each hold part of what they need and wait for the rest.
   */
  acquire(n: number): Promise<Worker[]> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (n > this.size) return Promise.reject(new Error(`${n} workers asked of a pool of ${this.size}`));
    const loan = new Promise<Worker[]>((grant) => this.waiting.push({ n, grant }));
    this.serve();
    return loan;
  }

  /** Grants waiting loans in order while there are workers for the first. */
  private serve(): void {
    for (;;) {
      const head = this.waiting[0];
      if (!head || this.closed) return;
      const free = this.idle.length + (this.size - this.all.size);
      if (free < head.n) return;
      this.waiting.shift();
      const ws: Worker[] = [];
      for (let i = 0; i < head.n; i++) ws.push(this.idle.pop() ?? this.spawn());
      // A lent worker holds the process open: its answer is awaited.
      for (const w of ws) w.ref();
      head.grant(ws);
    }
  }

  /** Back to the pool after a clean answer (its listeners removed by the caller). */
  release(w: Worker): void {
    if (this.closed || !this.all.has(w)) return;
    w.unref();
    this.idle.push(w);
    this.serve();
  }

  /** A worker whose state is unknown (failed, or still busy after a cancel): ended, replaced when needed. */
  async discard(w: Worker): Promise<void> {
    this.all.delete(w);
    this.serve();
    await w.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
