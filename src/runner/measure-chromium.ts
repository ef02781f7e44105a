/** Node side of a measurement in headless Chromium: ship the inputs as blobs, get the report back. */
import type { MeasureCall } from '../browser/protocol';
import type { MeasureInput } from '../measure/measure';
import type { MeasureOptions } from '../measure/options';
import { integerCt } from '../measure/prepare';
import type { Report } from '../measure/report-types';
import type { ChromiumRunner } from './chromium';

export async function measureInChromium(
  runner: ChromiumRunner,
  input: MeasureInput,
  options: Partial<MeasureOptions> = {},
  maxBindingBytes?: number,
): Promise<Report> {
  const warnings: string[] = [];
  const ct = integerCt(input.ct, warnings);
  const huBlob = runner.putBlob(new Uint8Array(ct.hu.buffer, ct.hu.byteOffset, ct.hu.byteLength));
  const labelsBlob = input.pericardium ? runner.putBlob(input.pericardium.labels) : null;
  const call: MeasureCall = {
    ct: {
      dims: [...ct.dims],
      spacing: [...ct.spacing],
      origin: [...ct.origin],
      direction: [...ct.direction],
      kvp: ct.kvp,
      source: ct.source,
      huBlob,
    },
    pericardium: input.pericardium && labelsBlob ? { source: input.pericardium.source, labelsBlob } : null,
    vessels: input.vessels,
    options,
    ...(maxBindingBytes !== undefined ? { maxBindingBytes } : {}),
  };
  try {
    const report = await runner.call<Report>('measure', call);
    report.warnings.unshift(...warnings);
    return report;
  } finally {
    runner.server.dropBlob(huBlob);
    if (labelsBlob) runner.server.dropBlob(labelsBlob);
  }
}
