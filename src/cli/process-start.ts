/**
 * When this process reached the command's main, in ms since the process started (Node's
 * performance.now() counts from the process's time origin): the `start` of a report's timingsMs,
 * Node's own start-up and the loading of perifat's modules. Null when perifat runs inside another
 * program (a test, an embedding), whose start says nothing about perifat's.
 */
let mainAtMs: number | null = null;

export function markMainReached(): void {
  mainAtMs = performance.now();
}

export function startMs(): number | null {
  return mainAtMs;
}
