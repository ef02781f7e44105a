/**
 * Typed errors. Every error perifat raises on purpose is a PerifatError with a stable `code`
 * (scripts and the CLI switch on it) and, where a file is at fault, the file's path.
 */
export type PerifatErrorCode =
  // input files
  | 'E_INPUT_NOT_FOUND'
  | 'E_INPUT_FORMAT'
  | 'E_INPUT_TRUNCATED'
  | 'E_INPUT_MODALITY'
  | 'E_INPUT_RESCALE'
  | 'E_INPUT_GEOMETRY'
  | 'E_INPUT_SERIES'
  | 'E_INPUT_UNSUPPORTED'
  | 'E_INPUT_VALUE'
  // a plausibility check (a centerline off the lumen, an empty region …) refused under --strict
  | 'E_INPUT_IMPLAUSIBLE'
  // pixel data missing, short, or not decodable by its codec
  | 'E_INPUT_PIXELS'
  | 'E_MASK_GRID'
  | 'E_CENTERLINE'
  | 'E_TOO_LARGE'
  // options: a value out of its range (E_OPTIONS), a malformed command line (E_USAGE)
  | 'E_OPTIONS'
  | 'E_USAGE'
  // GPU
  | 'E_GPU_UNAVAILABLE'
  | 'E_GPU_LIMITS'
  | 'E_GPU_VALIDATION'
  | 'E_GPU_OUT_OF_MEMORY'
  | 'E_GPU_INTERNAL'
  | 'E_GPU_SHADER'
  | 'E_GPU_DEVICE_LOST'
  // runtime (browser runner, output); a measurement cancelled through its AbortSignal
  | 'E_RUNTIME'
  | 'E_ABORTED'
  // a batch case that ran past --case-timeout
  | 'E_TIMEOUT'
  // the command was stopped by SIGINT / SIGTERM
  | 'E_INTERRUPTED'
  | 'E_OUTPUT';

export class PerifatError extends Error {
  readonly code: PerifatErrorCode;
  readonly file: string | undefined;
  readonly details: string | undefined;

  constructor(
    code: PerifatErrorCode,
    message: string,
    opts: { file?: string; details?: string; cause?: unknown } = {},
  ) {
    super(opts.file !== undefined ? `${opts.file}: ${message}` : message, { cause: opts.cause });
    this.name = 'PerifatError';
    this.code = code;
    this.file = opts.file;
    this.details = opts.details;
  }

  /** A plain object that survives structured cloning / JSON (browser → Node). */
  toJSON(): SerializedPerifatError {
    return { name: 'PerifatError', code: this.code, message: this.message, file: this.file, details: this.details };
  }
}

export interface SerializedPerifatError {
  name: 'PerifatError';
  code: PerifatErrorCode;
  message: string;
  file: string | undefined;
  details: string | undefined;
}

export function isSerializedPerifatError(x: unknown): x is SerializedPerifatError {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as { name?: unknown }).name === 'PerifatError' &&
    typeof (x as { code?: unknown }).code === 'string'
  );
}

/** Rebuild a PerifatError that crossed a process boundary, keeping its code and message. */
export function reviveError(e: SerializedPerifatError): PerifatError {
  const err = new PerifatError(e.code, e.message, { details: e.details });
  // The message already carries the file prefix; keep the field for callers that switch on it.
  Object.defineProperty(err, 'file', { value: e.file });
  return err;
}
