/**
 * Page jobs of the distance transforms and the pericoronary shells, for the GPU tests and the
 * benchmark. Inputs come as blobs from the local server; per-voxel outputs are posted back to it.
 */
import { GpuBackend } from '../../../src/backends/webgpu/gpu-backend';
import { pericoronaryHistogramsGpu } from '../../../src/backends/webgpu/pericoronary';
import { compileShellPipelines, shellLayout, shellSlabs, shellStage } from '../../../src/backends/webgpu/shell-stages';
import { BufferScope, readBuffer } from '../../../src/gpu/buffers';
import { bindingLimit } from '../../../src/gpu/gpu-volume';
import { buildCandidates } from '../../../src/shells/candidates';
import { planShells } from '../../../src/shells/plan';
import { shellTables } from '../../../src/shells/tables';
import { edtGpu } from '../../../src/kernels/edt/edt';
import { featureTransformGpu } from '../../../src/kernels/feature-transform/feature-transform';
import type { LabelHistograms } from '../../../src/stats/label-stats';
import type { CtVolume } from '../../../src/volume/volume';
import { fetchBlob, gpu } from '../../../src/platform/page/jobs';
import type {
  DistanceReply,
  EdtCall,
  FeatureTransformCall,
  HistogramsJson,
  PericoronaryCall,
  PericoronaryReply,
  ShellNearestReply,
} from './protocol-distance';
import { wordDigest } from './protocol-distance';

let nextUpload = 0;

/** Post bytes to the local server; Node takes them with server.takeUpload(id). */
async function post(bytes: ArrayBufferView): Promise<string> {
  const id = `u${nextUpload++}`;
  const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  const res = await fetch(`upload/${encodeURIComponent(id)}`, { method: 'POST', body });
  if (!res.ok) throw new Error(`upload ${id}: HTTP ${res.status}`);
  return id;
}

async function timed<T>(repeats: number | undefined, run: () => Promise<T>): Promise<{ value: T; timesMs: number[] }> {
  const timesMs: number[] = [];
  let value: T | undefined;
  for (let r = 0; r < Math.max(1, repeats ?? 1); r++) {
    const t = performance.now();
    value = await run();
    timesMs.push(performance.now() - t);
  }
  return { value: value as T, timesMs };
}

export async function edt(args: EdtCall): Promise<DistanceReply> {
  const ctx = await gpu();
  const mask = new Uint8Array(await fetchBlob(args.maskBlob));
  const { value, timesMs } = await timed(args.repeats, () =>
    edtGpu(ctx, args.dims, args.spacing, mask, { signed: args.signed === true }),
  );
  return args.digestOnly ? { digest: wordDigest(value), timesMs } : { uploadId: await post(value), timesMs };
}

export async function featureTransform(args: FeatureTransformCall): Promise<DistanceReply> {
  const ctx = await gpu();
  const sites = { mask: new Uint8Array(await fetchBlob(args.maskBlob)), invert: args.invert === true };
  const { value, timesMs } = await timed(args.repeats, () => featureTransformGpu(ctx, args.dims, args.spacing, sites));
  return args.digestOnly ? { digest: wordDigest(value), timesMs } : { uploadId: await post(value), timesMs };
}

function json(h: LabelHistograms): HistogramsJson {
  return { maxLabel: h.maxLabel, voxels: Array.from(h.voxels), histogram: Array.from(h.histogram) };
}

export async function pericoronary(args: PericoronaryCall): Promise<PericoronaryReply> {
  const ctx = await gpu();
  const hu = new Int16Array(await fetchBlob(args.huBlob));
  const ct: CtVolume = { ...args.ct, hu, kvp: null, source: 'page' };
  const vessels = args.vessels.map((v) => ({ ...v, arcMm: Float64Array.from(v.arcMm) }));
  const backend = new GpuBackend(ctx, { maxBindingBytes: args.maxBindingBytes });
  try {
    const { value: r, timesMs } = await timed(args.repeats, () =>
      pericoronaryHistogramsGpu(backend, ct, vessels, args.lesions, args.opts, {
        returnLayers: args.returnLayers === true,
      }),
    );
    let layers: PericoronaryReply['layers'];
    if (r.layers) {
      const lesionIds: string[] = [];
      for (const l of r.layers.lesions) lesionIds.push(await post(l));
      const ties: { voi: string; rings: string }[] = [];
      for (const t of r.layers.ties ?? []) ties.push({ voi: await post(t.voi), rings: await post(t.rings) });
      layers = {
        dims: r.layers.dims,
        voi: await post(r.layers.voi),
        rings: await post(r.layers.rings),
        lesions: lesionIds,
        ties,
      };
    }
    return {
      voi: json(r.voi),
      rings: json(r.rings),
      lesions: r.lesions ? json(r.lesions) : null,
      crop: { lo: r.crop.lo, hi: r.crop.hi },
      timingsMs: { ...r.timingsMs },
      timesMs,
      diagnostics: r.diagnostics,
      ...(layers ? { layers } : {}),
    };
  } finally {
    backend.dispose();
  }
}

/** The shell-nearest kernel alone (no guard): every entry's state and owner words, posted back. */
export async function shellNearest(args: PericoronaryCall): Promise<ShellNearestReply> {
  const ctx = await gpu();
  const hu = new Int16Array(await fetchBlob(args.huBlob));
  const ct: CtVolume = { ...args.ct, hu, kvp: null, source: 'page' };
  const vessels = args.vessels.map((v) => ({ ...v, arcMm: Float64Array.from(v.arcMm) }));
  const plan = planShells(ct, vessels, args.lesions, args.opts);
  const cands = buildCandidates(plan);
  const tables = shellTables(plan);
  const limit = bindingLimit(ctx, args.maxBindingBytes);
  const slabs = shellSlabs(plan.cropDims, plan.spacing, null, limit);
  const layout = shellLayout(plan, cands, slabs, limit);
  const pipes = await compileShellPipelines(ctx, {
    guard: false,
    layers: true,
    ...(args.nearestVariant ? { nearest: args.nearestVariant } : {}),
  });
  const scope = new BufferScope(ctx);
  try {
    const st = await shellStage(ctx, scope, pipes, { plan, cands, tables, calcium: null, slabs, layout });
    const entries = st.chunks.reduce((a, c) => a + c.chunk.count * layout.cellVoxels, 0);
    const state = new Uint8Array(entries * 16);
    const owner = new Uint8Array(entries * 4);
    let at = 0;
    for (const c of st.chunks) {
      const n = c.chunk.count * layout.cellVoxels;
      state.set(new Uint8Array(await readBuffer(ctx, c.state, n * 16)), at * 16);
      owner.set(new Uint8Array(await readBuffer(ctx, c.owner, n * 4)), at * 4);
      at += n;
    }
    const evaluations = new Uint32Array(await readBuffer(ctx, st.inputs.work, 4))[0] as number;
    return {
      variant: pipes.nearest.variant,
      slabs: slabs.length,
      slabRanges: slabs.map((s) => ({ z0: s.z0, z1: s.z1 })),
      limit,
      chunks: st.chunks.length,
      state: await post(state),
      owner: await post(owner),
      evaluations,
    };
  } finally {
    scope.destroyAll();
  }
}
