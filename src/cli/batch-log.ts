/**
 * batch-log.jsonl: one line per measured case, in the order the cases were taken from the list,
 * whatever order the lanes finish them in (a case measured beside a larger one may end first). A
 * line waits only for the lines of cases taken before it; close() writes what is left, in order.
 */
import { appendFileSync } from 'node:fs';

export class OrderedLog {
  private readonly pending = new Map<number, string>();
  private next = 0;

  constructor(private readonly path: string) {}

  /** The line of the case taken `seq`-th (from 0). */
  add(seq: number, line: string): void {
    this.pending.set(seq, line);
    let out = '';
    for (let l = this.pending.get(this.next); l !== undefined; l = this.pending.get(this.next)) {
      out += `${l}\n`;
      this.pending.delete(this.next++);
    }
    if (out) appendFileSync(this.path, out);
  }

  /** The lines still waiting (behind a case that never ended), in order. */
  close(): void {
    const rest = [...this.pending].sort((a, b) => a[0] - b[0]).map(([, l]) => `${l}\n`);
    this.pending.clear();
    if (rest.length) appendFileSync(this.path, rest.join(''));
  }
}
