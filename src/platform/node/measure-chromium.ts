/** Node side of a measurement in headless Chromium: ship the inputs as blobs, get the report back. */
import type { MeasureCall, MeasureReply } from '../page/protocol';
import { PerifatError } from '../../errors';
import type { MeasureInput, MeasureLayers } from '../../measure/measure';
import type { MeasureOptions } from '../../measure/options';
import { integerCt } from '../../measure/prepare';
import type { Report } from '../../measure/report-types';
import type { ChromiumRunner } from './chromium';

export async function measureInChromium(
  runner: ChromiumRunner,
  input: MeasureInput,
  options: Partial<MeasureOptions> = {},
  maxBindingBytes?: number,
): Promise<Report> {
  return (await measureInChromiumDetailed(runner, input, options, { maxBindingBytes })).report;
}

/** The report and, with `wantLayers`, the VOI / ring / lesion label layers read back from the page. */
export async function measureInChromiumDetailed(
  runner: ChromiumRunner,
  input: MeasureInput,
  options: Partial<MeasureOptions> = {},
  extra: { maxBindingBytes?: number | undefined; wantLayers?: boolean } = {},
): Promise<{ report: Report; layers: MeasureLayers | null }> {
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
    ...(extra.maxBindingBytes !== undefined ? { maxBindingBytes: extra.maxBindingBytes } : {}),
    ...(extra.wantLayers ? { wantLayers: true } : {}),
  };
  try {
    const reply = await runner.call<MeasureReply>('measure', call);
    reply.report.warnings.unshift(...warnings);
    if (!reply.layers) return { report: reply.report, layers: null };
    const l = reply.layers;
    const take = (id: string): Uint8Array => {
      const bytes = runner.server.takeUpload(id);
      if (!bytes) throw new PerifatError('E_RUNTIME', `label layer ${id} did not arrive from the page`);
      return bytes;
    };
    return {
      report: reply.report,
      layers: {
        crop: l.crop,
        vessels: l.vessels,
        layers: { dims: l.dims, voi: take(l.voi), rings: take(l.rings), lesions: l.lesions.map(take) },
      },
    };
  } finally {
    runner.server.dropBlob(huBlob);
    if (labelsBlob) runner.server.dropBlob(labelsBlob);
  }
}
