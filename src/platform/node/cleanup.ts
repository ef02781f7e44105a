/**
 * Clean exits: whatever a run holds (a browser, temporary outputs) registers how to let it go, and
 * SIGINT / SIGTERM run those before the process exits with a typed E_INTERRUPTED (130 / 143).
 */
const tasks = new Set<() => Promise<void> | void>();

/** Registers `fn` to run on interruption; returns its removal. */
export function onInterrupt(fn: () => Promise<void> | void): () => void {
  tasks.add(fn);
  return () => tasks.delete(fn);
}

let installed = false;
let stopping = false;

/** Whether SIGINT / SIGTERM arrived: nothing new (a browser restart, a next case) may start then. */
export function interrupted(): boolean {
  return stopping;
}

export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      stopping = true;
      const work = [...tasks].map((t) =>
        Promise.resolve()
          .then(t)
          .catch(() => undefined),
      );
      // Bounded: a browser that will not close must not keep the process alive.
      const deadline = new Promise((ok) => setTimeout(ok, 5000).unref());
      void Promise.race([Promise.all(work), deadline]).then(() => {
        process.stderr.write(`\nperifat: E_INTERRUPTED: stopped by ${signal}; outputs in progress were discarded\n`);
        process.exit(code);
      });
    });
  }
}
