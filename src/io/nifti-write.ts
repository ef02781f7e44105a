/**
 * NIfTI-1 encoder for CT and label volumes: sform and qform from the LPS geometry (converted to
 * RAS), little endian; gzipped for a .nii.gz name. Bytes only: Node writes them atomically
 * (src/platform/node/write.ts), a page offers them as a download.
 */
import { gzipSync } from 'fflate';
import { PerifatError } from '../errors';
import type { Geometry } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';

const HDR = 348;
const VOX_OFFSET = 352;

/** The file bytes for `name`: .nii.gz → gzipped, else plain .nii. */
export function niftiFileBytes(vol: CtVolume | LabelVolume, name: string): Uint8Array {
  const bytes = encodeNifti(vol);
  return /\.gz$/i.test(name) ? gzipSync(bytes, { level: 6 }) : bytes;
}

/** The .nii bytes of a volume. */
export function encodeNifti(vol: CtVolume | LabelVolume): Uint8Array {
  const data = 'labels' in vol ? vol.labels : vol.hu;
  const [datatype, bitpix] = data instanceof Uint8Array ? [2, 8] : data instanceof Int16Array ? [4, 16] : [16, 32];
  const n = vol.dims[0] * vol.dims[1] * vol.dims[2];
  if (data.length !== n)
    throw new PerifatError('E_OUTPUT', `volume has ${data.length} values for ${vol.dims.join('×')} voxels`);
  const buf = new Uint8Array(VOX_OFFSET + data.byteLength);
  const dv = new DataView(buf.buffer);
  dv.setInt32(0, HDR, true);
  const dim = [3, vol.dims[0], vol.dims[1], vol.dims[2], 1, 1, 1, 1];
  dim.forEach((d, i) => dv.setInt16(40 + 2 * i, d, true));
  dv.setInt16(70, datatype, true);
  dv.setInt16(72, bitpix, true);
  const { srow, quat, qfac } = rasAffine(vol);
  const qoff = [srow[3] as number, srow[7] as number, srow[11] as number];
  const pixdim = [qfac, vol.spacing[0], vol.spacing[1], vol.spacing[2], 1, 1, 1, 1];
  pixdim.forEach((p, i) => dv.setFloat32(76 + 4 * i, p, true));
  dv.setFloat32(108, VOX_OFFSET, true);
  dv.setFloat32(112, 1, true); // scl_slope
  dv.setFloat32(116, 0, true); // scl_inter
  buf[123] = 2; // xyzt_units: mm
  const descrip = 'perifat';
  for (let i = 0; i < descrip.length; i++) buf[148 + i] = descrip.charCodeAt(i);
  dv.setInt16(252, 1, true); // qform_code: scanner
  dv.setInt16(254, 1, true); // sform_code: scanner
  quat.forEach((q, i) => dv.setFloat32(256 + 4 * i, q, true));
  qoff.forEach((q, i) => dv.setFloat32(268 + 4 * i, q, true));
  srow.forEach((s, i) => dv.setFloat32(280 + 4 * i, s, true));
  buf.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  // Typed arrays are little endian on every platform Node runs on.
  buf.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), VOX_OFFSET);
  return buf;
}

/** RAS affine rows, and its quaternion form (nifti1_io's nifti_mat44_to_quatern). */
function rasAffine(g: Geometry): { srow: number[]; quat: number[]; qfac: number } {
  const flip = [-1, -1, 1];
  const R: number[][] = [0, 1, 2].map((r) =>
    [0, 1, 2].map((c) => (flip[r] as number) * (g.direction[3 * r + c] as number)),
  );
  const srow: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) srow.push((R[r]?.[c] as number) * (g.spacing[c] as number));
    srow.push((flip[r] as number) * (g.origin[r] as number));
  }
  const m = R.map((row) => [...row]);
  const [r11, r12, r13] = m[0] as [number, number, number];
  const [r21, r22, r23] = m[1] as [number, number, number];
  const [r31, r32, r33] = m[2] as [number, number, number];
  const det = r11 * (r22 * r33 - r23 * r32) - r12 * (r21 * r33 - r23 * r31) + r13 * (r21 * r32 - r22 * r31);
  // An improper rotation (left-handed grid) is stored as qfac = -1 with the third column negated.
  const qfac = det < 0 ? -1 : 1;
  return { srow, ...quaternion([r11, r12, qfac * r13, r21, r22, qfac * r23, r31, r32, qfac * r33]), qfac };
}

function quaternion(rm: readonly number[]): { quat: number[] } {
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = rm as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { quat: [b, c, d] };
}
