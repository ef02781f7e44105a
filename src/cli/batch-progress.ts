/**
 * Batch progress on stderr: on a terminal one line redrawn in place (done/failed/skipped of the
 * total, cases per minute, ETA); otherwise a plain line per case, so logs of a Slurm or Kubernetes
 * job read well; nothing with --quiet.
 */
export class BatchProgress {
  private readonly t0 = Date.now();
  private done = 0;
  private failed = 0;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly skipped: number,
    private readonly enabled: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = out.isTTY === true;
  }

  line(message: string): void {
    if (!this.enabled) return;
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${message}\n`);
    this.draw();
  }

  caseEnded(caseId: string, ok: boolean, seconds: number, detail: string): void {
    if (ok) this.done++;
    else this.failed++;
    if (!this.enabled) return;
    if (this.tty) {
      if (!ok) this.line(`${caseId}: ${detail}`);
      else this.draw();
    } else {
      const n = this.done + this.failed;
      this.out.write(
        `[${n}/${this.total}] ${caseId} ${ok ? 'ok' : 'FAILED'} ${seconds.toFixed(1)} s${ok ? '' : ` ${detail}`}\n`,
      );
    }
  }

  private draw(): void {
    if (!this.enabled || !this.tty) return;
    const n = this.done + this.failed;
    const elapsed = (Date.now() - this.t0) / 1000;
    const rate = n > 0 ? n / elapsed : 0;
    const eta = rate > 0 ? (this.total - n) / rate : NaN;
    const width = 24;
    const filled = this.total > 0 ? Math.round((width * n) / this.total) : width;
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const skipped = this.skipped > 0 ? `, ${this.skipped} up to date` : '';
    this.out.write(
      `\r\x1b[2K[${bar}] ${n}/${this.total} (${this.failed} failed${skipped}) ${(rate * 60).toFixed(1)}/min ETA ${clock(eta)}`,
    );
  }

  finish(): void {
    if (this.enabled && this.tty) this.out.write('\n');
  }
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}
