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
import type { PageRunner } from './chromium';

export async function measureInChromium(
  runner: PageRunner,
  input: MeasureInput,
  options: Partial<MeasureOptions> = {},
  maxBindingBytes?: number,
): Promise<Report> {
  return (await measureInChromiumDetailed(runner, input, options, { maxBindingBytes })).report;
}

/** The report and, with `wantLayers`, the VOI / ring / lesion label layers read back from the page. */
export async function measureInChromiumDetailed(
  runner: PageRunner,
  input: MeasureInput,
  options: Partial<MeasureOptions> = {},
  extra: {
    maxBindingBytes?: number | undefined;
    nearest?: 'packet' | 'voxel' | undefined;
    wantLayers?: boolean;
    profile?: boolean;
  } = {},
): Promise<{ report: Report; layers: MeasureLayers | null }> {
  const warnings: string[] = [];
  const blobs = new Blobs(runner);
  const ct = integerCt(input.ct, warnings);
  const labelsBlob = input.pericardium ? blobs.put(input.pericardium.labels) : null;
  const cl = input.centerlines;
  const call: MeasureCall = {
    ct: blobs.ct(ct),
    pericardium:
      input.pericardium && labelsBlob
        ? {
            source: input.pericardium.source,
            labelsBlob,
            ...(input.pericardium.doubts ? { doubts: [...input.pericardium.doubts] } : {}),
          }
        : null,
    vessels: input.vessels,
    ...(cl ? { centerlines: blobs.centerlines(cl) } : {}),
    ...(input.lesions?.length ? { lesions: [...input.lesions] } : {}),
    options,
    ...(extra.maxBindingBytes !== undefined ? { maxBindingBytes: extra.maxBindingBytes } : {}),
    ...(extra.nearest !== undefined ? { nearest: extra.nearest } : {}),
    ...(extra.wantLayers ? { wantLayers: true } : {}),
    ...(extra.profile ? { profile: true } : {}),
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
    blobs.drop();
  }
}

/** Centerlines derived on the page's GPU (the EDT kernel), the CT and masks shipped as blobs. */
export async function centerlinesInChromium(
  runner: PageRunner,
  ct: CtVolume,
  req: CenterlineRequest,
): Promise<DerivedCenterlines> {
  const blobs = new Blobs(runner);
  try {
    const call: CenterlinesCall = { ct: blobs.ct(integerCt(ct, [])), centerlines: blobs.centerlines(req) };
    return await runner.call<DerivedCenterlines>('centerlines', call);
  } finally {
    blobs.drop();
  }
}

/** The blobs a call offers the page (dropped together when it is answered) and the call's parts made of them. */
class Blobs {
  private readonly ids: string[] = [];
  constructor(private readonly runner: PageRunner) {}

  put(bytes: Uint8Array): string {
    const id = this.runner.putBlob(bytes);
    this.ids.push(id);
    return id;
  }

  ct(ct: CtVolume & { hu: Int16Array }): MeasureCall['ct'] {
    return {
      dims: [...ct.dims],
      spacing: [...ct.spacing],
      origin: [...ct.origin],
      direction: [...ct.direction],
      kvp: ct.kvp,
      source: ct.source,
      ...(ct.doubts ? { doubts: [...ct.doubts] } : {}),
      ...(ct.kvpDoubt ? { kvpDoubt: ct.kvpDoubt } : {}),
      huBlob: this.put(new Uint8Array(ct.hu.buffer, ct.hu.byteOffset, ct.hu.byteLength)),
    };
  }

  centerlines(req: CenterlineRequest): NonNullable<MeasureCall['centerlines']> {
    const mask = (m: { source: string; labels: Uint8Array } | null | undefined) =>
      m ? { source: m.source, labelsBlob: this.put(m.labels) } : null;
    return {
      coronaryMask: mask(req.coronaryMask),
      aorta: mask(req.aorta),
      ...(req.labelNames ? { labelNames: { ...req.labelNames } } : {}),
      ...(req.trace ? { trace: req.trace.map((t) => ({ name: t.name, points: t.points.map((p) => [...p]) })) } : {}),
    };
  }

  drop(): void {
    for (const id of this.ids.splice(0)) this.runner.server.dropBlob(id);
  }
}
