/**
 * David Clunie's dciodvfy (Debian dicom3tools) on a written file: its errors and warnings. A test
 * asserts no error and no warning outside ACCEPTED, each of which is explained there.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** Warnings perifat's outputs may draw, and why each is not a defect of the output. */
export const ACCEPTED: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    pattern:
      /^Warning - Missing attribute or value that would be needed to build DICOMDIR - (Patient ID|Study Date|Study Time|Study ID)$/,
    why:
      'type 2 attributes of the Patient and General Study modules are copied from the source series as they are ' +
      '(the bundled TCIA series and the phantom leave Study ID empty); a standalone object has no patient or study ID',
  },
  {
    pattern: /^Warning - Value dubious for this VR - \(0x0010,0x0010\) PN Patient's Name .* Retired Person Name form$/,
    why: "the source series' Patient's Name is copied unchanged (TCIA and the phantom write a name without '^')",
  },
  {
    pattern: /^Warning - Unrecognized defined term <99PERIFAT> for value 1 of attribute <Coding Scheme Designator>$/,
    why:
      "perifat's own concepts (FAI, VPCI, the segment interval, the flags) have no standard code; they are in the " +
      "private scheme 99PERIFAT (PS3.16 8.2: '99' prefix), declared in the Coding Scheme Identification Sequence",
  },
];

export interface Verdict {
  readonly iod: string;
  readonly errors: string[];
  readonly warnings: string[];
}

export function dciodvfy(path: string): Verdict {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (run.error)
    throw new Error(`dciodvfy could not run (${run.error.message}): install Debian's dicom3tools (see .ci/run)`);
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim());
  return {
    iod: lines.find((l) => l !== '' && !/^(Error|Warning)/.test(l)) ?? '',
    errors: lines.filter((l) => l.startsWith('Error')),
    warnings: lines.filter((l) => l.startsWith('Warning')),
  };
}

/**
 * No error, and every warning one of ACCEPTED; the IOD dciodvfy recognised. An SR is also walked by
 * dcsrdump (dicom3tools), which must read its whole content tree: a TID 1500 root, no error.
 */
export function expectValid(path: string, iod: 'Segmentation' | 'Comprehensive3DSR'): void {
  const v = dciodvfy(path);
  expect(v.iod, path).toBe(iod);
  expect(v.errors, path).toEqual([]);
  const unexplained = v.warnings.filter((w) => !ACCEPTED.some((a) => a.pattern.test(w)));
  expect(unexplained, path).toEqual([]);
  if (iod === 'Comprehensive3DSR') {
    // dcsrdump writes the tree to standard error.
    const dump = spawnSync('dcsrdump', [path], { encoding: 'utf8' });
    const text = `${dump.stdout}${dump.stderr}`;
    expect(dump.status, `${path}: ${text.slice(0, 500)}`).toBe(0);
    expect(text).not.toMatch(/error/i);
    expect(text.split('\n')[0]).toContain(
      'CONTAINER: (126000,DCM,"Imaging Measurement Report")  [SEPARATE] (DCMR,1500)',
    );
  }
}
