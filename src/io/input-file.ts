/**
 * A file's bytes, wherever they come from: a path on disk (Node, src/platform/node/files.ts), a Blob or File
 * (a page, a worker), or an ArrayBuffer. Readers take these, so one code path serves the CLI, the
 * batch runner and a web app. `name` is what errors and reports call the file.
 */
export interface InputFile {
  readonly name: string;
  readonly size: number;
  /** Bytes [start, end) of the file (the whole file by default). */
  read(start?: number, end?: number): Promise<Uint8Array>;
}

/** What the public readers accept for one file. */
export type BytesInput = ArrayBuffer | ArrayBufferView | Blob | InputFile;

function isInputFile(x: unknown): x is InputFile {
  return typeof x === 'object' && x !== null && 'read' in x && 'name' in x && 'size' in x && !(x instanceof Blob);
}

/** An InputFile over bytes in memory or a Blob/File (a File keeps its own name). */
export function toInputFile(x: BytesInput, name = 'input'): InputFile {
  if (isInputFile(x)) return x;
  if (typeof Blob !== 'undefined' && x instanceof Blob) {
    const fileName = (x as Blob & { name?: unknown }).name;
    return {
      name: typeof fileName === 'string' && fileName !== '' ? fileName : name,
      size: x.size,
      read: async (start = 0, end = x.size) => new Uint8Array(await x.slice(start, end).arrayBuffer()),
    };
  }
  const bytes = ArrayBuffer.isView(x)
    ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
    : new Uint8Array(x as ArrayBuffer);
  return {
    name,
    size: bytes.byteLength,
    read: async (start = 0, end = bytes.byteLength) => bytes.subarray(start, Math.min(end, bytes.byteLength)),
  };
}

/** One input or a list of them (a DICOM series) as InputFiles, unnamed ones numbered. */
export function toInputFiles(x: BytesInput | readonly BytesInput[], name = 'input'): InputFile[] {
  if (Array.isArray(x)) return (x as readonly BytesInput[]).map((f, i) => toInputFile(f, `${name}[${i}]`));
  return [toInputFile(x as BytesInput, name)];
}
