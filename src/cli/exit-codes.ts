/** Exit codes scripts can rely on. */
import type { PerifatErrorCode } from '../errors';

export const EXIT = { ok: 0, unexpected: 1, usage: 2, input: 3, gpu: 4, output: 5 } as const;

export function exitCodeFor(code: PerifatErrorCode): number {
  if (code === 'E_OPTIONS' || code === 'E_USAGE') return EXIT.usage;
  if (code === 'E_INTERRUPTED') return 130;
  if (code.startsWith('E_GPU') || code === 'E_RUNTIME' || code === 'E_TIMEOUT') return EXIT.gpu;
  if (code === 'E_OUTPUT') return EXIT.output;
  return EXIT.input;
}
