/** Named laps of a piece of work, in ms, for a report's timingsMs. */
export interface LapTimer {
  readonly timings: Record<string, number>;
  /** Record the time since the previous lap (or the start) under `name`. */
  lap(name: string): void;
}

export function lapTimer(): LapTimer {
  const timings: Record<string, number> = {};
  let t = performance.now();
  return {
    timings,
    lap(name: string): void {
      const now = performance.now();
      timings[name] = now - t;
      t = now;
    },
  };
}
