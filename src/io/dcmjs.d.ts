/**
 * The small part of dcmjs (untyped) that perifat uses: its byte stream and its data-element reader.
 * `_read`/`_readTag` are dcmjs internals, exported by the package; perifat drives them itself
 * (instead of `readFile`) to see how far the reader went, so a truncated file is never zero-filled.
 */
declare module 'dcmjs' {
  /** One data element as dcmjs reads it (DICOM JSON model): VR and values. */
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
  }
  export type DcmjsDict = Record<string, DcmjsElement>;

  export class ReadBufferStream {
    constructor(
      buffer: ArrayBuffer,
      littleEndian?: boolean | null,
      options?: { start?: number | null; stop?: number | null; noCopy?: boolean },
    );
    offset: number;
    size: number;
    readAsciiString(length: number): string;
    increment(step: number): number;
    reset(): this;
    more(length: number): ReadBufferStream;
  }

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    stopOnGreaterTag?: boolean;
  }

  export interface ReadTagResult {
    tag: { toCleanString(): string };
    vr: { type: string } | 0;
    values: unknown[] | 0;
  }

  export class DicomMessage {
    static _read(stream: ReadBufferStream, syntax: string, options?: ReadOptions): DcmjsDict;
    static _readTag(stream: ReadBufferStream, syntax: string, options?: ReadOptions): ReadTagResult;
    static _normalizeSyntax(syntax: string): string;
    static readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  }

  /** Used by tests and the bench to write DICOM. */
  export class DicomDict {
    constructor(meta: DcmjsDict);
    meta: DcmjsDict;
    dict: DcmjsDict;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }

  export class DicomMetaDictionary {
    static naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
  }

  export interface Logger {
    error: (...args: unknown[]) => void;
    warn: (...args: unknown[]) => void;
    setLevel(level: string): void;
    getLevel(): number;
  }

  const dcmjs: {
    data: {
      ReadBufferStream: typeof ReadBufferStream;
      DicomMessage: typeof DicomMessage;
      DicomMetaDictionary: typeof DicomMetaDictionary;
      DicomDict: typeof DicomDict;
    };
    log: Logger & { getLogger(name: string): Logger };
  };
  export default dcmjs;
}
