/**
 * DICOM Segmentation (binary or fractional) → LabelVolume. Label = segment number; where
 * segments overlap the higher segment number wins; fractional frames count as inside above half
 * of MaximumFractionalValue. The grid spans the frames' planes (frames may skip planes). With
 * `segment`, only that segment's frames are read, as a binary mask (1 inside): segments may
 * overlap, and a labelmap keeps only one of them per voxel.
 */
import type { Mat3, Vec3 } from '../volume/geometry';
import type { LabelVolume } from '../volume/volume';
import { fail } from './errors';
import { readDicomFile } from './dicom-read';
import type { InputFile } from './input-file';
import { FrameReader, frameCount, pixelFormat } from './dicom-pixels';
import { item, items, num, nums, str, vec3, type Dataset } from './dicom-values';

export async function readDicomSeg(
  input: InputFile,
  opts: { maxVoxels?: number; segment?: number } = {},
): Promise<LabelVolume> {
  const path = input.name;
  const file = await readDicomFile(input);
  const ds = file.ds;
  if (str(ds, 'Modality') !== 'SEG')
    fail('E_INPUT_MODALITY', path, `modality is ${str(ds, 'Modality') || 'missing'}, expected SEG (a segmentation)`);
  const type = str(ds, 'SegmentationType') ?? 'BINARY';
  if (type !== 'BINARY' && type !== 'FRACTIONAL') fail('E_INPUT_UNSUPPORTED', path, `SegmentationType ${type}`);
  const fmt = pixelFormat(ds, path);
  const nFrames = frameCount(ds);
  const shared = item(ds, 'SharedFunctionalGroupsSequence');
  const perFrame = items(ds, 'PerFrameFunctionalGroupsSequence');
  if (perFrame.length !== nFrames)
    fail('E_INPUT_GEOMETRY', path, `${nFrames} frames but ${perFrame.length} per-frame functional groups`);
  const group = (fg: Dataset, name: string): Dataset | null => item(fg, name) ?? (shared ? item(shared, name) : null);
  const fg0 = perFrame[0] as Dataset;
  const iop =
    (group(fg0, 'PlaneOrientationSequence') &&
      nums(group(fg0, 'PlaneOrientationSequence') as Dataset, 'ImageOrientationPatient', 6)) ||
    null;
  const meas = group(fg0, 'PixelMeasuresSequence');
  const ps = meas ? nums(meas, 'PixelSpacing', 2) : null;
  if (iop === null || ps === null)
    fail('E_INPUT_GEOMETRY', path, 'segmentation without plane orientation / pixel spacing');
  const row: Vec3 = [iop[0] as number, iop[1] as number, iop[2] as number];
  const col: Vec3 = [iop[3] as number, iop[4] as number, iop[5] as number];
  const normal: Vec3 = [
    row[1] * col[2] - row[2] * col[1],
    row[2] * col[0] - row[0] * col[2],
    row[0] * col[1] - row[1] * col[0],
  ];
  const all = perFrame.map((fg, f) => {
    const pos = group(fg, 'PlanePositionSequence');
    const ipp = pos ? vec3(pos, 'ImagePositionPatient') : null;
    const segId =
      item(fg, 'SegmentIdentificationSequence') ?? (shared ? item(shared, 'SegmentIdentificationSequence') : null);
    const seg = segId ? num(segId, 'ReferencedSegmentNumber') : null;
    if (ipp === null) fail('E_INPUT_GEOMETRY', path, `frame ${f + 1} has no ImagePositionPatient`);
    if (seg === null || !(seg >= 1 && seg <= 255))
      fail('E_INPUT_VALUE', path, `frame ${f + 1} has segment number ${seg}; labels must be 1…255`);
    return { f, ipp, seg, z: ipp[0] * normal[0] + ipp[1] * normal[1] + ipp[2] * normal[2] };
  });
  const frames = opts.segment === undefined ? all : all.filter((fr) => fr.seg === opts.segment);
  if (frames.length === 0) fail('E_INPUT_VALUE', path, `no frame of segment ${opts.segment}`);
  const label = (seg: number): number => (opts.segment === undefined ? seg : 1);
  const zs = [...new Set(frames.map((fr) => Math.round(fr.z * 1000) / 1000))].sort((a, b) => a - b);
  const gaps = zs.slice(1).map((z, i) => z - (zs[i] as number));
  const spacingK =
    (meas ? num(meas, 'SpacingBetweenSlices') : null) ??
    (gaps.length > 0 ? Math.min(...gaps) : null) ??
    (meas ? num(meas, 'SliceThickness') : null) ??
    1;
  const z0 = zs[0] as number;
  const kOf = (z: number): number => {
    const k = (z - z0) / spacingK;
    if (Math.abs(k - Math.round(k)) > 0.01)
      fail('E_INPUT_GEOMETRY', path, `frame plane at ${z.toFixed(3)} mm is not on the ${spacingK} mm slice grid`);
    return Math.round(k);
  };
  const nk = kOf(zs[zs.length - 1] as number) + 1;
  const dims: Vec3 = [fmt.cols, fmt.rows, nk];
  const voxels = dims[0] * dims[1] * dims[2];
  const budget = opts.maxVoxels ?? 2 ** 30;
  if (voxels > budget)
    fail('E_TOO_LARGE', path, `segmentation grid of ${dims.join('×')} voxels exceeds the budget of ${budget}`);
  const labels = new Uint8Array(voxels);
  const reader = new FrameReader(file, fmt, nFrames);
  await reader.prepare();
  const threshold = type === 'FRACTIONAL' ? (num(ds, 'MaximumFractionalValue') ?? 255) / 2 : 0;
  const slice = fmt.rows * fmt.cols;
  // Ascending segment number: the higher number is written last and wins an overlap.
  for (const fr of [...frames].sort((a, b) => a.seg - b.seg)) {
    const px = reader.frameBytes(fr.f);
    const base = kOf(Math.round(fr.z * 1000) / 1000) * slice;
    for (let i = 0; i < slice; i++) if ((px[i] as number) > threshold) labels[base + i] = label(fr.seg);
  }
  const first = frames.reduce((a, b) => (b.z < a.z ? b : a));
  // Origin: the first frame's in-plane corner moved onto the lowest plane along the normal.
  const d = first.z - z0;
  const origin: Vec3 = [first.ipp[0] - d * normal[0], first.ipp[1] - d * normal[1], first.ipp[2] - d * normal[2]];
  const direction: Mat3 = [row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]];
  return { dims, spacing: [ps[1] as number, ps[0] as number, spacingK], origin, direction, labels, source: path };
}
