/**
 * NIfTI-1 / NIfTI-2 reader (.nii, .nii.gz; either byte order; any numeric datatype).
 * Geometry follows nibabel's choice of affine: sform when sform_code > 0, else qform when
 * qform_code > 0, else the voxel sizes alone; NIfTI world is RAS, perifat's is LPS (x, y negated).
 */
import type { Geometry, Mat3, Vec3 } from '../volume/geometry';
import { orthonormalityError, voxelToWorld } from '../volume/geometry';
import { fail } from './errors';
import { gunzip, isGzip } from './gunzip';
import { DEFAULT_MAX_VOXELS } from './limits';

export interface NiftiHeader {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  readonly dims: Vec3;
  readonly datatype: number;
  readonly bitpix: number;
  readonly voxOffset: number;
  readonly slope: number;
  readonly inter: number;
  readonly geometry: Geometry;
  readonly description: string;
  /** What the header says ambiguously (qform against sform, negative voxel sizes): warnings. */
  readonly doubts: readonly string[];
}

export interface NiftiImage {
  readonly header: NiftiHeader;
  /** Voxel values before scl_slope/scl_inter, in file order (i fastest). */
  readonly raw: ArrayLike<number>;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
  1024: { name: 'int64', bytes: 8 },
  1280: { name: 'uint64', bytes: 8 },
};

/** Largest decompressed NIfTI accepted (bytes), whatever its gzip trailer claims. */
export const MAX_NIFTI_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Whether the bytes are a NIfTI file, by content: gzip (perifat's only gzipped input), or a
 * sizeof_hdr of 348 / 540 in either byte order with its magic.
 */
export function looksLikeNifti(b: Uint8Array): boolean {
  if (isGzip(b)) return true;
  if (b.length < 348) return false;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = [dv.getInt32(0, true), dv.getInt32(0, false)];
  const at = size.includes(348) ? 344 : size.includes(540) ? 4 : -1;
  if (at < 0) return false;
  const magic = String.fromCharCode(...b.subarray(at, at + 3));
  return magic === 'n+1' || magic === 'n+2' || magic === 'ni1' || magic === 'ni2';
}

/** Bytes a gzip stream may hold past what its NIfTI header describes (padding, an extension). */
const GZIP_SLACK = 1 << 20;

export interface NiftiLimits {
  /** Largest image, in voxels. */
  readonly maxVoxels?: number;
  /** Largest image, in bytes (header + voxels), after decompression. */
  readonly maxBytes?: number;
}

/**
 * A NIfTI-1/2 file (gzipped or not) from its bytes; `name` is what errors call it. The header is
 * read first (from the first inflated bytes) and its claims checked against the limits, so a small
 * file declaring or inflating to gigabytes is refused before anything that size is allocated.
 */
export async function parseNifti(file: Uint8Array, name: string, limits: NiftiLimits = {}): Promise<NiftiImage> {
  const path = name;
  const maxBytes = limits.maxBytes ?? MAX_NIFTI_BYTES;
  const gz = isGzip(file);
  const header = parseHeader(gz ? await gunzip(file, maxBytes, name, 544) : file, path);
  const n = header.dims[0] * header.dims[1] * header.dims[2];
  const t = TYPES[header.datatype] as { name: string; bytes: number };
  const need = header.voxOffset + n * t.bytes;
  const maxVoxels = limits.maxVoxels ?? DEFAULT_MAX_VOXELS;
  if (n > maxVoxels) {
    fail('E_TOO_LARGE', path, `the header declares ${header.dims.join('×')} = ${n} voxels (limit ${maxVoxels})`);
  }
  if (need > maxBytes) {
    fail('E_TOO_LARGE', path, `the header declares ${need} bytes of ${t.name} voxels (limit ${maxBytes} bytes)`);
  }
  // Never the gzip trailer's size: the stream may hold what the header describes, and little more.
  const bytes = gz ? await gunzip(file, need + GZIP_SLACK, name) : file;
  if (bytes.length < need)
    fail('E_INPUT_TRUNCATED', path, `file is truncated: the image needs ${need} bytes, the file has ${bytes.length}`);
  return { header, raw: voxelView(bytes, header, n) };
}

/**
 * Only the header of a NIfTI file (gzipped or not): its grid, for a caller that needs no voxel
 * (e.g. to check that masks lie on a CT's grid). Inflates the first bytes only.
 */
export async function parseNiftiHeader(file: Uint8Array, name: string): Promise<NiftiHeader> {
  return parseHeader(isGzip(file) ? await gunzip(file, MAX_NIFTI_BYTES, name, 544) : file, name);
}

/** The shortest decimal that rounds to the same float32 (how a float32 is printed). */
export function shortestDecimalOfF32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function parseHeader(b: Uint8Array, path: string): NiftiHeader {
  if (b.length < 348) fail('E_INPUT_TRUNCATED', path, `file is ${b.length} bytes, shorter than a NIfTI header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const szLE = dv.getInt32(0, true);
  const szBE = dv.getInt32(0, false);
  const version = szLE === 348 || szBE === 348 ? 1 : szLE === 540 || szBE === 540 ? 2 : 0;
  if (version === 0) fail('E_INPUT_FORMAT', path, 'not a NIfTI file (sizeof_hdr is neither 348 nor 540)');
  const le = szLE === 348 || szLE === 540;
  if (version === 2 && b.length < 540) fail('E_INPUT_TRUNCATED', path, 'file is shorter than a NIfTI-2 header');
  const i16 = (o: number): number => dv.getInt16(o, le);
  const i32 = (o: number): number => dv.getInt32(o, le);
  const f32 = (o: number): number => dv.getFloat32(o, le);
  // Geometry fields of NIfTI-1 are float32: read them as the decimal the writer meant (0.4, not
  // 0.4000000059604645), so distances in mm match a scan's stated spacing to the last digit.
  const g32 = (o: number): number => shortestDecimalOfF32(f32(o));
  const f64 = (o: number): number => dv.getFloat64(o, le);
  const i64 = (o: number): number => Number(dv.getBigInt64(o, le));
  const magic = String.fromCharCode(...b.subarray(version === 1 ? 344 : 4, version === 1 ? 347 : 7));
  if (magic === 'ni1' || magic === 'ni2')
    fail('E_INPUT_UNSUPPORTED', path, 'two-file NIfTI (.hdr/.img) is not supported; convert to a single .nii');
  if (magic !== 'n+1' && magic !== 'n+2') fail('E_INPUT_FORMAT', path, `bad NIfTI magic ${JSON.stringify(magic)}`);

  const dim: number[] = [];
  const pixdim: number[] = [];
  for (let i = 0; i < 8; i++) {
    dim.push(version === 1 ? i16(40 + 2 * i) : i64(16 + 8 * i));
    pixdim.push(version === 1 ? g32(76 + 4 * i) : f64(104 + 8 * i));
  }
  const datatype = version === 1 ? i16(70) : i16(12);
  const bitpix = version === 1 ? i16(72) : i16(14);
  const declaredOffset = version === 1 ? f32(108) : i64(168);
  // NaN or an offset inside the header would read the image from the header's own bytes.
  if (!Number.isFinite(declaredOffset) || declaredOffset < (version === 1 ? 348 : 540)) {
    fail('E_INPUT_FORMAT', path, `vox_offset ${declaredOffset} lies inside the header: not a valid NIfTI file`);
  }
  const voxOffset = Math.max(declaredOffset, version === 1 ? 352 : 544);
  let slope = version === 1 ? f32(112) : f64(176);
  let inter = version === 1 ? f32(116) : f64(184);
  // NIfTI: slope 0 (or not finite) means "no scaling".
  if (!Number.isFinite(slope) || slope === 0) {
    slope = 1;
    inter = 0;
  } else if (!Number.isFinite(inter)) inter = 0;
  const qformCode = version === 1 ? i16(252) : i32(344);
  const sformCode = version === 1 ? i16(254) : i32(348);
  const quat = version === 1 ? [g32(256), g32(260), g32(264)] : [f64(352), f64(360), f64(368)];
  const qoff = version === 1 ? [g32(268), g32(272), g32(276)] : [f64(376), f64(384), f64(392)];
  const srow: number[] = [];
  for (let i = 0; i < 12; i++) srow.push(version === 1 ? g32(280 + 4 * i) : f64(400 + 8 * i));
  const descrip = String.fromCharCode(...b.subarray(version === 1 ? 148 : 240, version === 1 ? 228 : 320)).replace(
    /\0.*$/s,
    '',
  );

  const nd = dim[0] as number;
  if (!(nd >= 1 && nd <= 7)) fail('E_INPUT_FORMAT', path, `invalid dim[0] = ${nd}`);
  const dims: Vec3 = [1, 1, 1];
  for (let i = 1; i <= 3; i++) if (i <= nd) dims[i - 1] = dim[i] as number;
  for (let i = 4; i <= nd; i++) {
    if ((dim[i] as number) > 1)
      fail('E_INPUT_UNSUPPORTED', path, `${nd}-D image (dim ${i} = ${dim[i]}); perifat reads 3-D volumes`);
  }
  if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 1 << 20))
    fail('E_INPUT_FORMAT', path, `invalid dimensions ${dims.join('×')}`);
  const t = TYPES[datatype];
  if (t === undefined)
    fail('E_INPUT_UNSUPPORTED', path, `NIfTI datatype ${datatype} (complex, RGB or bit) is not supported`);
  if (bitpix !== t.bytes * 8) fail('E_INPUT_FORMAT', path, `bitpix ${bitpix} does not match datatype ${t.name}`);

  const doubts: string[] = [];
  const negative = [1, 2, 3].filter((i) => (pixdim[i] as number) < 0);
  if (negative.length > 0 && !(sformCode > 0)) {
    doubts.push(
      `negative voxel size in pixdim (${[1, 2, 3].map((i) => pixdim[i]).join(', ')}): its magnitude used, the axis direction from the ${qformCode > 0 ? 'qform' : 'default orientation'}`,
    );
  }
  let geometry: Geometry;
  if (sformCode > 0) {
    geometry = fromAffine(srow, dims, path);
    if (qformCode > 0) {
      let gap: number;
      try {
        gap = cornerGap(geometry, fromQuaternion(quat, qoff, pixdim, dims, path));
      } catch {
        gap = Infinity; // a qform that is no geometry at all
      }
      if (gap > QFORM_SFORM_TOLERANCE_MM) {
        doubts.push(
          `sform and qform disagree (${Number.isFinite(gap) ? `by up to ${gap.toFixed(2)} mm at the volume's corners` : 'the qform is invalid'}): the sform is used (as nibabel and ITK-SNAP do); check which one the masks were made on`,
        );
      }
    }
  } else if (qformCode > 0) geometry = fromQuaternion(quat, qoff, pixdim, dims, path);
  else {
    const sp = [1, 2, 3].map((i) => Math.abs(pixdim[i] as number) || 1);
    geometry = {
      dims,
      spacing: [sp[0] as number, sp[1] as number, sp[2] as number],
      origin: [0, 0, 0],
      direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    };
  }
  return {
    version,
    littleEndian: le,
    dims,
    datatype,
    bitpix,
    voxOffset,
    slope,
    inter,
    geometry,
    description: descrip,
    doubts,
  };
}

/** Below this the two transforms are one (float32 rounding of the header's fields). */
const QFORM_SFORM_TOLERANCE_MM = 0.1;

/** Largest distance between where two geometries put the grid's eight corner voxels, in mm. */
function cornerGap(a: Geometry, b: Geometry): number {
  let gap = 0;
  for (let c = 0; c < 8; c++) {
    const ijk: Vec3 = [c & 1 ? a.dims[0] - 1 : 0, c & 2 ? a.dims[1] - 1 : 0, c & 4 ? a.dims[2] - 1 : 0];
    const p = voxelToWorld(a, ijk);
    const q = voxelToWorld(b, ijk);
    gap = Math.max(gap, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
  }
  return gap;
}

/** 3×4 RAS affine rows → LPS geometry. */
function fromAffine(srow: readonly number[], dims: Vec3, path: string): Geometry {
  const lps = [-1, -1, 1];
  const spacing: number[] = [];
  const dir: number[] = new Array<number>(9).fill(0);
  for (let c = 0; c < 3; c++) {
    const col = [0, 1, 2].map((r) => (lps[r] as number) * (srow[4 * r + c] as number));
    const len = Math.hypot(col[0] as number, col[1] as number, col[2] as number);
    if (!(len > 0) || !Number.isFinite(len))
      fail('E_INPUT_GEOMETRY', path, `sform axis ${c} has zero or invalid length`);
    spacing.push(len);
    for (let r = 0; r < 3; r++) dir[3 * r + c] = (col[r] as number) / len;
  }
  const origin: Vec3 = [-(srow[3] as number), -(srow[7] as number), srow[11] as number];
  return checked({ dims, spacing: spacing as unknown as Vec3, origin, direction: dir as unknown as Mat3 }, path);
}

function fromQuaternion(
  q: readonly number[],
  off: readonly number[],
  pixdim: readonly number[],
  dims: Vec3,
  path: string,
): Geometry {
  const [b, c, d] = q as [number, number, number];
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const qfac = (pixdim[0] as number) < 0 ? -1 : 1;
  const r = [
    a * a + b * b - c * c - d * d,
    2 * (b * c - a * d),
    2 * (b * d + a * c),
    2 * (b * c + a * d),
    a * a + c * c - b * b - d * d,
    2 * (c * d - a * b),
    2 * (b * d - a * c),
    2 * (c * d + a * b),
    a * a + d * d - c * c - b * b,
  ];
  const dir = [
    -(r[0] as number),
    -(r[1] as number),
    -(r[2] as number) * qfac,
    -(r[3] as number),
    -(r[4] as number),
    -(r[5] as number) * qfac,
    r[6] as number,
    r[7] as number,
    (r[8] as number) * qfac,
  ];
  const sp = [1, 2, 3].map((i) => Math.abs(pixdim[i] as number));
  if (!sp.every((s) => s > 0 && Number.isFinite(s)))
    fail('E_INPUT_GEOMETRY', path, `invalid voxel size ${sp.join('×')}`);
  return checked(
    {
      dims,
      spacing: sp as unknown as Vec3,
      origin: [-(off[0] as number), -(off[1] as number), off[2] as number],
      direction: dir as unknown as Mat3,
    },
    path,
  );
}

function checked(g: Geometry, path: string): Geometry {
  if (![...g.origin, ...g.direction].every(Number.isFinite))
    fail('E_INPUT_GEOMETRY', path, 'affine has non-finite values');
  const err = orthonormalityError(g.direction);
  if (err > 1e-3)
    fail('E_INPUT_GEOMETRY', path, `affine is sheared (direction cosines off orthonormal by ${err.toExponential(2)})`);
  return g;
}

function voxelView(b: Uint8Array, h: NiftiHeader, n: number): ArrayLike<number> {
  const t = TYPES[h.datatype] as { name: string; bytes: number };
  const off = b.byteOffset + h.voxOffset;
  const nativeOk = h.littleEndian && off % t.bytes === 0;
  const buf = b.buffer;
  if (nativeOk) {
    switch (h.datatype) {
      case 2:
        return new Uint8Array(buf, off, n);
      case 256:
        return new Int8Array(buf, off, n);
      case 4:
        return new Int16Array(buf, off, n);
      case 512:
        return new Uint16Array(buf, off, n);
      case 8:
        return new Int32Array(buf, off, n);
      case 768:
        return new Uint32Array(buf, off, n);
      case 16:
        return new Float32Array(buf, off, n);
      case 64:
        return new Float64Array(buf, off, n);
    }
  }
  // Big endian, unaligned, or 64-bit integers: convert element by element.
  const dv = new DataView(buf, off, n * t.bytes);
  const le = h.littleEndian;
  const out = new Float64Array(n);
  const get: (i: number) => number = {
    2: (i: number) => dv.getUint8(i),
    256: (i: number) => dv.getInt8(i),
    4: (i: number) => dv.getInt16(2 * i, le),
    512: (i: number) => dv.getUint16(2 * i, le),
    8: (i: number) => dv.getInt32(4 * i, le),
    768: (i: number) => dv.getUint32(4 * i, le),
    16: (i: number) => dv.getFloat32(4 * i, le),
    64: (i: number) => dv.getFloat64(8 * i, le),
    1024: (i: number) => Number(dv.getBigInt64(8 * i, le)),
    1280: (i: number) => Number(dv.getBigUint64(8 * i, le)),
  }[h.datatype] as (i: number) => number;
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}
