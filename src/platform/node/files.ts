/** InputFiles over paths on disk: a file read on demand, or a folder's regular files by name. */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PerifatError } from '../../errors';
import type { InputFile } from '../../io/input-file';
import { timedIo } from './io-clock';

function notFound(path: string, e: unknown): never {
  throw new PerifatError('E_INPUT_NOT_FOUND', `cannot read: ${(e as Error).message}`, { file: path });
}

/** A regular file (symlinks followed) as an InputFile; anything else is refused by name. */
export async function fileAt(path: string): Promise<InputFile> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new PerifatError('E_INPUT_FORMAT', 'is a folder, expected a file', { file: path });
    if (!st.isFile()) throw new PerifatError('E_INPUT_FORMAT', 'not a regular file', { file: path });
    size = st.size;
  } catch (e) {
    if (e instanceof PerifatError) throw e;
    throw new PerifatError('E_INPUT_NOT_FOUND', 'no such file or folder', { file: path });
  }
  return {
    name: path,
    size,
    read(start = 0, end = size) {
      return timedIo('read', async () => {
        const len = Math.max(0, Math.min(end, size) - start);
        let fh;
        try {
          fh = await open(path, 'r');
          const buf = new Uint8Array(len);
          let got = 0;
          while (got < len) {
            const { bytesRead } = await fh.read(buf, got, len - got, start + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          return got === len ? buf : buf.subarray(0, got);
        } catch (e) {
          notFound(path, e);
        } finally {
          await fh?.close();
        }
      });
    },
  };
}

/** A file → [it]; a folder → its regular files (hidden ones and DICOMDIR skipped), sorted by name. */
export async function filesAt(path: string): Promise<InputFile[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new PerifatError('E_INPUT_NOT_FOUND', 'no such file or folder', { file: path });
  }
  if (!isDir) return [await fileAt(path)];
  const names = (await readdir(path)).filter((n) => !n.startsWith('.') && n.toUpperCase() !== 'DICOMDIR').sort();
  const files: InputFile[] = [];
  for (const n of names) {
    const p = join(path, n);
    try {
      if ((await stat(p)).isFile()) files.push(await fileAt(p));
    } catch {
      // A dangling link or an entry gone since the listing: not part of the series.
    }
  }
  if (files.length === 0) throw new PerifatError('E_INPUT_FORMAT', 'folder holds no files', { file: path });
  return files;
}
