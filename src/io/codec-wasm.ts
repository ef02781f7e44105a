/**
 * Where the JPEG-LS (CharLS) and JPEG 2000 (OpenJPEG) WebAssembly binaries come from.
 *
 * In a browser the `.wasm` files ship beside the package's chunks and are found relative to this
 * module (`new URL('./x.wasm', import.meta.url)`, which Vite, webpack 5 and Parcel turn into
 * emitted assets), or an app hands them in with `setCodecWasm` (bytes, or a URL it serves them
 * at). perifat fetches them itself, so a 404 or an HTML fallback page becomes a PerifatError naming
 * the DICOM file and its transfer syntax instead of Emscripten's "Aborted(…)". In Node the codec
 * packages read their own binaries from node_modules.
 *
 * This module is small and dcmjs-free on purpose: the page entry imports it for `setCodecWasm`.
 */
export type CodecName = 'jpeg-ls' | 'jpeg2000';

/** Bytes of a codec's `.wasm`, or the URL to fetch them from. */
export type CodecWasmSource = ArrayBuffer | ArrayBufferView | URL | string;

const given = new Map<CodecName, CodecWasmSource>();

/**
 * Hand perifat a codec's WebAssembly binary (its bytes, or where the app serves it), for bundles
 * that do not emit the package's `.wasm` assets (esbuild without a copy step, a CDN build). Call
 * before the first JPEG-LS / JPEG 2000 file is read.
 */
export function setCodecWasm(codec: CodecName, source: CodecWasmSource): void {
  given.set(codec, source);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The default location: literal `new URL` expressions so bundlers see and emit them. */
function defaultUrl(codec: CodecName): URL {
  return codec === 'jpeg-ls'
    ? new URL('./charlswasm_decode.wasm', import.meta.url)
    : new URL('./openjpegwasm_decode.wasm', import.meta.url);
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * The binary for the Emscripten factory's `wasmBinary` option, or undefined where the codec package
 * finds its own (Node). Throws a plain Error saying what went wrong; the caller names file and syntax.
 */
export async function codecWasmBytes(codec: CodecName): Promise<Uint8Array | undefined> {
  const source = given.get(codec) ?? (isNode() ? undefined : defaultUrl(codec));
  if (source === undefined) return undefined;
  let bytes: Uint8Array;
  let where = 'the bytes given to setCodecWasm';
  if (typeof source === 'string' || source instanceof URL) {
    where = String(source);
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new Error(`could not fetch ${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) throw new Error(`could not fetch ${where}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } else {
    bytes = ArrayBuffer.isView(source)
      ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
  }
  if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error(`${where} is not WebAssembly (does the bundler emit the package's .wasm files? see setCodecWasm)`);
  }
  return bytes;
}
