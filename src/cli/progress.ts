/** Progress lines on stderr with elapsed time, so long runs show where they are. */
export class Progress {
  private readonly t0 = Date.now();
  constructor(private readonly enabled: boolean) {}

  step(message: string): void {
    if (this.enabled) process.stderr.write(`[${((Date.now() - this.t0) / 1000).toFixed(1)}s] ${message}\n`);
  }

  done(): void {
    this.step('done');
  }
}
