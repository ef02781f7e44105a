/**
 * One run, one consistent set of outputs: every file is written to a temporary beside its target
 * and all are renamed only when every one of them was written; a failure (or an interruption)
 * removes the temporaries and leaves the previous outputs as they were. Temporary names are short,
 * so a target name at the file system's limit still works. A masks folder is replaced whole and
 * holds only this run's files plus the manifest naming them; a folder perifat did not write (no
 * manifest, not empty) is refused rather than emptied.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PerifatError } from '../../errors';

export const MASKS_MANIFEST = 'perifat-masks.json';

function tempBeside(target: string): string {
  return join(dirname(target), `.pf${process.pid.toString(36)}${randomBytes(4).toString('hex')}.tmp`);
}

function outputError(path: string, e: unknown): PerifatError {
  return new PerifatError('E_OUTPUT', `could not write: ${(e as Error).message}`, { file: path, cause: e });
}

export class OutputSet {
  private readonly files: { target: string; tmp: string }[] = [];
  private readonly dirs: { target: string; tmp: string }[] = [];

  /**
   * A file of the set, written now to its temporary. Only regular files are written: a target that
   * exists as something else (a directory, a FIFO, a socket, a device) is refused naming it; a
   * symbolic link is followed, its target replaced and the link kept (said on standard error).
   */
  file(path: string, data: string | Uint8Array): void {
    const target = regularTarget(path);
    const tmp = tempBeside(target);
    this.files.push({ target, tmp });
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(tmp, data);
    } catch (e) {
      throw outputError(target, e);
    }
  }

  /** A folder of the set (masks): these files and a manifest, replacing the folder whole on commit. */
  folder(target: string, files: ReadonlyMap<string, Uint8Array>): void {
    checkOwnFolder(target);
    const tmp = tempBeside(target);
    this.dirs.push({ target, tmp });
    try {
      mkdirSync(tmp, { recursive: true });
      for (const [name, bytes] of files) writeFileSync(join(tmp, name), bytes);
      const manifest = { schema: 'perifat-masks/1', files: [...files.keys()] };
      writeFileSync(join(tmp, MASKS_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (e) {
      throw outputError(target, e);
    }
  }

  /** Puts every output in place (old masks folders removed after the new one is in). */
  commit(): void {
    try {
      for (const d of this.dirs) {
        const old = existsSync(d.target) ? tempBeside(d.target) : null;
        if (old) renameSync(d.target, old);
        renameSync(d.tmp, d.target);
        if (old) rmSync(old, { recursive: true, force: true });
      }
      for (const f of this.files) renameSync(f.tmp, f.target);
    } catch (e) {
      this.discard();
      throw outputError(this.files[0]?.target ?? this.dirs[0]?.target ?? '', e);
    }
    this.files.length = 0;
    this.dirs.length = 0;
  }

  /** Removes every temporary: nothing of this run is left. */
  discard(): void {
    for (const x of [...this.files, ...this.dirs]) rmSync(x.tmp, { recursive: true, force: true });
    this.files.length = 0;
    this.dirs.length = 0;
  }
}

/** The regular file an output path names: itself, or what its links lead to (E_OUTPUT otherwise). */
export function regularTarget(path: string): string {
  let target = path;
  for (let hops = 0; ; hops++) {
    let st;
    try {
      st = lstatSync(target);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') break; // a new file
      if ((e as { code?: string }).code === 'ENOTDIR')
        throw new PerifatError('E_OUTPUT', 'a part of this path is a file, not a folder', { file: path });
      throw outputError(path, e);
    }
    if (st.isSymbolicLink()) {
      if (hops >= 32) throw new PerifatError('E_OUTPUT', 'too many symbolic links', { file: path });
      target = resolve(dirname(target), readlinkSync(target));
      continue;
    }
    if (!st.isFile()) {
      const what = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
      throw new PerifatError('E_OUTPUT', `is ${what}, not a regular file: perifat writes only files`, { file: path });
    }
    break;
  }
  if (target !== path) process.stderr.write(`perifat: ${path} is a symbolic link: writing its target ${target}\n`);
  return target;
}

/** A masks folder may be absent, empty, or one perifat wrote (it holds the manifest). */
export function checkOwnFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new PerifatError('E_OPTIONS', 'is a file, not a folder: --masks-out needs a folder', { file: dir });
  }
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.includes(MASKS_MANIFEST)) {
    throw new PerifatError(
      'E_OPTIONS',
      `holds files perifat did not write (no ${MASKS_MANIFEST}); choose an empty or new folder for --masks-out`,
      { file: dir },
    );
  }
}
