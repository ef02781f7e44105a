/**
 * Inputs are never written: before anything is read, every output path is resolved (symlinks
 * followed, hard links by device and inode) and refused when it is an input, holds an input (a
 * masks folder over a DICOM folder), or is another output of the same run.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PerifatError } from '../../errors';

interface Resolved {
  readonly path: string;
  readonly real: string;
  /** dev:ino of an existing regular file (hard links share it). */
  readonly inode: string | null;
}

function resolveFile(path: string): Resolved {
  const abs = resolve(path);
  let real = abs;
  try {
    real = realpathSync(abs);
  } catch {
    // Not there yet: resolve its folder, keep its name.
    try {
      real = join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      real = abs;
    }
  }
  let inode: string | null = null;
  try {
    const st = statSync(real);
    if (st.isFile()) inode = `${st.dev}:${st.ino}`;
  } catch {
    inode = null;
  }
  return { path, real, inode };
}

/** An input path and, for a folder, the files in it. */
function expandInput(path: string): Resolved[] {
  const r = resolveFile(path);
  try {
    if (statSync(r.real).isDirectory()) {
      return [r, ...readdirSync(r.real).map((n) => resolveFile(join(r.real, n)))];
    }
  } catch {
    // A missing input is reported by its reader.
  }
  return [r];
}

const within = (child: string, dir: string): boolean =>
  child === dir || child.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * @param inputs every file or folder the run reads
 * @param outputs every file the run writes, and `folders` the folders it replaces whole
 */
export function checkOutputPaths(
  inputs: readonly string[],
  outputs: readonly string[],
  folders: readonly string[] = [],
): void {
  const ins = inputs.flatMap(expandInput);
  const outs = [...outputs.map(resolveFile), ...folders.map(resolveFile)];
  const same = (a: Resolved, b: Resolved): boolean => a.real === b.real || (a.inode !== null && a.inode === b.inode);
  outs.forEach((o, i) => {
    for (const input of ins) {
      if (same(o, input)) {
        throw new PerifatError(
          'E_OPTIONS',
          `output ${o.path} is the input ${input.path}: refusing to overwrite an input`,
          { file: o.path },
        );
      }
    }
    for (const other of outs.slice(i + 1)) {
      if (same(o, other)) throw new PerifatError('E_OPTIONS', `${o.path} is given for two outputs`, { file: o.path });
    }
  });
  for (const f of folders.map(resolveFile)) {
    const hit = ins.find((input) => within(input.real, f.real));
    if (hit) {
      throw new PerifatError(
        'E_OPTIONS',
        `the masks folder ${f.path} holds the input ${hit.path}: refusing to replace it`,
        {
          file: f.path,
        },
      );
    }
    for (const o of outputs.map(resolveFile)) {
      if (within(o.real, f.real))
        throw new PerifatError('E_OPTIONS', `output ${o.path} lies inside the masks folder ${f.path}`, {
          file: o.path,
        });
    }
  }
}

/**
 * A batch's output folder must not lie inside a folder it reads (a DICOM series folder): its own
 * writes would change that input's fingerprint, so the case would be measured again on every rerun,
 * and a reader listing the folder would meet perifat's outputs among the slices.
 */
export function checkOutputFolder(inputs: readonly string[], dir: string): void {
  const out = resolveFile(dir);
  for (const path of inputs) {
    const input = resolveFile(path);
    let folder = false;
    try {
      folder = statSync(input.real).isDirectory();
    } catch {
      // A missing input is that case's failure, reported by its reader.
    }
    if (folder && within(out.real, input.real)) {
      throw new PerifatError('E_OPTIONS', `the output folder lies inside the input folder ${path}`, { file: dir });
    }
  }
}
