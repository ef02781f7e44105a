/** A file's bytes, whole or a range, with a read failure as E_INPUT_NOT_FOUND naming the file. */
import { fail } from './errors';
import type { InputFile } from './input-file';

export async function readRange(input: InputFile, start: number, end: number): Promise<Uint8Array> {
  try {
    return await input.read(start, end);
  } catch (e) {
    fail('E_INPUT_NOT_FOUND', input.name, `cannot read: ${(e as Error).message}`);
  }
}

export function readAll(input: InputFile): Promise<Uint8Array> {
  return readRange(input, 0, input.size);
}
