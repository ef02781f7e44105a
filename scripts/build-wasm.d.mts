/** Types of build-wasm.mjs for the tests that recompile the module. */
export function compileCells(): Promise<Uint8Array>;
export function cellsModuleText(bytes: Uint8Array): string;
