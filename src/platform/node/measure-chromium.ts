/** Node side of a measurement in headless Chromium: ship the inputs as blobs, get the report back. */
import type { CenterlinesCall, MeasureCall, MeasureReply } from '../page/protocol';
import type { CenterlineRequest } from '../../centerlines/derive';
import type { DerivedCenterlines } from '../../centerlines/types';
import type { CtVolume } from '../../volume/volume';
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
  const blobs = [huBlob, ...(labelsBlob ? [labelsBlob] : [])];
  const maskBlob = (m: { source: string; labels: Uint8Array } | null | undefined) => {
    if (!m) return null;
    const id = runner.putBlob(m.labels);
    blobs.push(id);
    return { source: m.source, labelsBlob: id };
  };
  const cl = input.centerlines;
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
    ...(cl
      ? {
          centerlines: {
            coronaryMask: maskBlob(cl.coronaryMask),
            aorta: maskBlob(cl.aorta),
            ...(cl.labelNames ? { labelNames: { ...cl.labelNames } } : {}),
            ...(cl.trace
              ? { trace: cl.trace.map((t) => ({ name: t.name, points: t.points.map((p) => [...p]) })) }
              : {}),
          },
        }
      : {}),
    ...(input.lesions?.length ? { lesions: [...input.lesions] } : {}),
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
        layers: {
          dims: l.dims,
          voi: take(l.voi),
          rings: take(l.rings),
          lesions: l.lesions.map(take),
          ...(l.ties?.length ? { ties: l.ties.map((t) => ({ voi: take(t.voi), rings: take(t.rings) })) } : {}),
        },
      },
    };
  } finally {
    for (const id of blobs) runner.server.dropBlob(id);
  }
}

/** Centerlines derived on the page's GPU (the EDT kernel), the CT and masks shipped as blobs. */
export async function centerlinesInChromium(
  runner: ChromiumRunner,
  ct: CtVolume,
  req: CenterlineRequest,
): Promise<DerivedCenterlines> {
  const warnings: string[] = [];
  const intCt = integerCt(ct, warnings);
  const blobs: string[] = [];
  const put = (bytes: Uint8Array): string => {
    const id = runner.putBlob(bytes);
    blobs.push(id);
    return id;
  };
  const mask = (m: { source: string; labels: Uint8Array } | null | undefined) =>
    m ? { source: m.source, labelsBlob: put(m.labels) } : null;
  const call: CenterlinesCall = {
    ct: {
      dims: [...intCt.dims],
      spacing: [...intCt.spacing],
      origin: [...intCt.origin],
      direction: [...intCt.direction],
      kvp: intCt.kvp,
      source: intCt.source,
      huBlob: put(new Uint8Array(intCt.hu.buffer, intCt.hu.byteOffset, intCt.hu.byteLength)),
    },
    centerlines: {
      coronaryMask: mask(req.coronaryMask),
      aorta: mask(req.aorta),
      ...(req.labelNames ? { labelNames: { ...req.labelNames } } : {}),
      ...(req.trace ? { trace: req.trace.map((t) => ({ name: t.name, points: t.points.map((p) => [...p]) })) } : {}),
    },
  };
  try {
    return await runner.call<DerivedCenterlines>('centerlines', call);
  } finally {
    for (const id of blobs) runner.server.dropBlob(id);
  }
}
