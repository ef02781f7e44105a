/** Minimal declarations for the image codec packages perifat loads on demand (they ship no types). */

/** Emscripten factory of a codec's WebAssembly module (CommonJS default export). */
interface EmscriptenCodecModule {
  JpegLSDecoder?: new () => WasmImageDecoder;
  J2KDecoder?: new () => WasmImageDecoder;
}

interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface WasmImageDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (moduleArg?: Record<string, unknown>) => Promise<EmscriptenCodecModule>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (moduleArg?: Record<string, unknown>) => Promise<EmscriptenCodecModule>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
