/** One frame's stored values of any DICOM image (any modality), for tools and codec tests. */
import { readDicomFile } from './dicom-read';
import type { InputFile } from './input-file';
import { FrameReader, frameCount, pixelFormat } from './dicom-pixels';

export interface DicomFrame {
  readonly rows: number;
  readonly cols: number;
  readonly frames: number;
  readonly transferSyntax: string;
  /** Stored values (sign and BitsStored applied, no rescale), i fastest. */
  readonly values: Float32Array;
}

export async function readDicomFrame(input: InputFile, frame = 0): Promise<DicomFrame> {
  const file = await readDicomFile(input);
  const fmt = pixelFormat(file.ds, input.name);
  const n = frameCount(file.ds);
  const reader = new FrameReader(file, fmt, n);
  await reader.prepare();
  const values = new Float32Array(fmt.rows * fmt.cols * fmt.samples);
  reader.writeFrame(frame, values, 0, 1, 0);
  return { rows: fmt.rows, cols: fmt.cols, frames: n, transferSyntax: file.transferSyntax, values };
}
