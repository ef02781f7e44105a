/**
 * Error helpers for the readers: every failure leaves as a PerifatError that names the file,
 * whatever the parser or codec underneath threw.
 */
import { PerifatError, type PerifatErrorCode } from '../errors';

export function fail(code: PerifatErrorCode, file: string, message: string, details?: string): never {
  throw new PerifatError(code, message, details !== undefined ? { file, details } : { file });
}

/** Pass PerifatErrors through; turn anything else into one (truncation when the message says so). */
export function asPerifatError(
  e: unknown,
  file: string,
  what: string,
  code: PerifatErrorCode = 'E_INPUT_FORMAT',
): PerifatError {
  if (e instanceof PerifatError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const truncated =
    /past end|more than currently allocated|out of (range|bounds)|outside the bounds|unexpected EOF|end of (data|buffer|stream)/i.test(
      msg,
    );
  return new PerifatError(
    truncated ? 'E_INPUT_TRUNCATED' : code,
    `${what}: ${truncated ? 'file is truncated' : 'malformed'} (${msg})`,
    {
      file,
      cause: e,
    },
  );
}

/** Run `fn`, converting any foreign error with asPerifatError. */
export function guard<T>(file: string, what: string, fn: () => T, code?: PerifatErrorCode): T {
  try {
    return fn();
  } catch (e) {
    throw asPerifatError(e, file, what, code);
  }
}
