/**
 * The command-line form of a trace request, "RCA:x,y,z;x,y,z|LAD:x,y,z;x,y,z" (LPS mm): parsed here,
 * apart from the tracing, so a typo is an E_USAGE naming what is wrong before any volume is read.
 */
import { PerifatError } from '../errors';
import type { Vec3 } from '../volume/geometry';

/** One vessel to trace: its name and the clicked points, ostium first, distal end last. */
export interface TraceRequest {
  readonly name: string;
  /** LPS mm: ostium first, optional waypoints, distal end last; at least 2. */
  readonly points: Vec3[];
}

const NAME = /^[A-Za-z0-9_.+-]{1,64}$/;

function usage(message: string): PerifatError {
  return new PerifatError('E_USAGE', `--trace: ${message}`);
}

function parsePoint(text: string, vessel: string, n: number): Vec3 {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 3)
    throw usage(`${vessel} point ${n} "${text.trim()}" must be three numbers x,y,z (LPS mm), not ${parts.length}`);
  const xyz = parts.map((s) => (s === '' ? NaN : Number(s)));
  if (!xyz.every(Number.isFinite))
    throw usage(`${vessel} point ${n} "${text.trim()}" holds a value that is not a number`);
  return xyz as Vec3;
}

/** Parses one or more vessels separated by '|'; each "name:x,y,z;x,y,z[;…]". */
export function parseTraceSpec(spec: string): TraceRequest[] {
  const chunks = spec.split('|').map((s) => s.trim());
  if (chunks.every((c) => c === '')) throw usage('empty; expected NAME:x,y,z;x,y,z[|NAME:…]');
  const out: TraceRequest[] = [];
  for (const chunk of chunks) {
    if (chunk === '') throw usage(`empty vessel between '|' in "${spec}"`);
    const colon = chunk.indexOf(':');
    if (colon < 0) throw usage(`"${chunk}" has no "NAME:" before its points`);
    const name = chunk.slice(0, colon).trim();
    if (!NAME.test(name)) throw usage(`vessel name "${name}" must be 1–64 letters, digits or _ . + -`);
    if (out.some((r) => r.name === name)) throw usage(`vessel ${name} is given twice`);
    const texts = chunk
      .slice(colon + 1)
      .split(';')
      .map((s) => s.trim());
    // A trailing ';' is forgiven; an empty point between two others is not.
    if (texts.length > 1 && texts[texts.length - 1] === '') texts.pop();
    if (texts.some((t) => t === '')) throw usage(`${name} has an empty point (two ';' in a row?)`);
    const points = texts.map((t, n) => parsePoint(t, name, n + 1));
    if (points.length < 2) throw usage(`${name} needs at least 2 points (ostium and distal end), got ${points.length}`);
    for (let n = 1; n < points.length; n++) {
      const a = points[n - 1] as Vec3;
      const b = points[n] as Vec3;
      if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < 1e-6)
        throw usage(`${name} points ${n} and ${n + 1} are the same point`);
    }
    out.push({ name, points });
  }
  return out;
}
