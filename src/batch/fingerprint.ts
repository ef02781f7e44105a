/**
 * What a batch report records of its inputs, so a rerun can tell a finished case from a changed
 * one: every input file's size and modification time (a folder: each regular file under it), and
 * with --verify a SHA-256 of their contents. Both are digests over the files in a fixed order; the
 * measurement options and perifat's version are part of the key, since they change the numbers.
 */
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Report } from '../measure/report-types';

/** stamp: digest of (path, size, mtime) of every input file and the key; sha256 (--verify): of their contents. */
export type InputFingerprint = NonNullable<Report['input']['fingerprint']>;

/** A DICOM folder of 100,000 files is far beyond a CT series; deeper walks stop there. */
const MAX_FILES = 100_000;

/** The regular files of an input (itself, or those under a folder), sorted, with their stats. */
function inputFiles(root: string): { path: string; size: number; mtimeMs: number }[] {
  const out: { path: string; size: number; mtimeMs: number }[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push({ path: p, size: -1, mtimeMs: -1 }); // a missing input still has a stamp (it fails on read)
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (out.length >= MAX_FILES) return;
        walk(join(p, name));
      }
    } else if (st.isFile()) out.push({ path: p, size: st.size, mtimeMs: st.mtimeMs });
  };
  walk(root);
  return out;
}

function hashFile(path: string, into: ReturnType<typeof createHash>): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    into.update('missing');
    return;
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      into.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

export function fingerprint(inputs: readonly string[], key: string, verify: boolean): InputFingerprint {
  const stamp = createHash('sha256').update(key);
  const content = verify ? createHash('sha256').update(key) : null;
  let files = 0;
  let bytes = 0;
  for (const root of inputs) {
    stamp.update(`\0${root}`);
    content?.update('\0input');
    for (const f of inputFiles(root)) {
      stamp.update(`\0${relative(root, f.path)}\0${f.size}\0${f.mtimeMs}`);
      if (content) {
        content.update(`\0${relative(root, f.path)}\0`);
        hashFile(f.path, content);
      }
      files++;
      bytes += Math.max(0, f.size);
    }
  }
  return {
    stamp: stamp.digest('hex'),
    ...(content ? { sha256: content.digest('hex') } : {}),
    files,
    bytes,
  };
}

/** Whether a recorded fingerprint still holds: the stamp, or with --verify the content digest. */
export function unchanged(recorded: InputFingerprint | undefined, now: InputFingerprint): boolean {
  if (!recorded) return false;
  if (now.sha256 !== undefined) return recorded.sha256 === now.sha256;
  return recorded.stamp === now.stamp;
}
