/** The distance kernels called on the tests' page: results moved back through the local server. */
import type { PageRunner } from '../../src/platform/node/chromium';
import type { Vec3 } from '../../src/volume/geometry';
import type { PreparedLesion, PreparedVessel, ShellOptions } from '../../src/measure/pericoronary-types';
import type { CtVolume } from '../../src/volume/volume';
import type { DistanceReply, EdtCall, FeatureTransformCall, PericoronaryCall } from './page/protocol-distance';

export function takeUpload(runner: PageRunner, id: string): Uint8Array {
  const u = runner.server.takeUpload(id);
  if (!u) throw new Error(`no upload ${id}`);
  return u;
}

export async function edtGpu(
  runner: PageRunner,
  dims: Vec3,
  spacing: Vec3,
  mask: Uint8Array,
  signed = false,
): Promise<Float32Array> {
  const call: EdtCall = { dims, spacing, maskBlob: runner.putBlob(mask), signed };
  const r = await runner.call<DistanceReply>('edt', call);
  const bytes = takeUpload(runner, r.uploadId ?? '');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

export async function ftGpu(
  runner: PageRunner,
  dims: Vec3,
  spacing: Vec3,
  sites: { mask: Uint8Array; invert?: boolean },
): Promise<Uint32Array> {
  const call: FeatureTransformCall = {
    dims,
    spacing,
    maskBlob: runner.putBlob(sites.mask),
    invert: sites.invert === true,
  };
  const r = await runner.call<DistanceReply>('featureTransform', call);
  const bytes = takeUpload(runner, r.uploadId ?? '');
  return new Uint32Array(bytes.slice().buffer);
}

/** 'equal', or where two arrays first differ (Object.is: −0, NaN and ±∞ compared exactly). */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return `first difference at ${i}: ${a[i]} vs ${b[i]}`;
  }
  return a.length === b.length ? 'equal' : `lengths ${a.length} vs ${b.length}`;
}

/** The arguments of the pericoronary page jobs: the CT's HU as a blob, vessels as JSON. */
export function pericoronaryCall(
  runner: PageRunner,
  ct: CtVolume & { hu: Int16Array },
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  maxBindingBytes?: number,
): PericoronaryCall {
  return {
    ...(maxBindingBytes !== undefined ? { maxBindingBytes } : {}),
    ct: { dims: ct.dims, spacing: ct.spacing, origin: ct.origin, direction: ct.direction },
    huBlob: runner.putBlob(new Uint8Array(ct.hu.buffer, ct.hu.byteOffset, ct.hu.byteLength)),
    vessels: vessels.map((v) => ({
      name: v.name,
      index: v.index,
      points: v.points.map((p) => [...p] as Vec3),
      radii: [...v.radii],
      arcMm: Array.from(v.arcMm),
      segmentMm: [v.segmentMm[0], v.segmentMm[1]],
    })),
    lesions,
    opts,
  };
}
