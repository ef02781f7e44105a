/** The `perifat` command in-process, its terminal output captured (and kept off the test log). */
import { vi } from 'vitest';
import { main } from '../../src/cli/main';

export async function runCli(args: string[]): Promise<{ code: number; err: string; out: string; stderr: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const progress: string[] = [];
  const s = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    progress.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(args), err: err.join('\n'), out: out.join('\n'), stderr: progress.join('') };
  } finally {
    e.mockRestore();
    o.mockRestore();
    s.mockRestore();
  }
}
