/**
 * The shell_nearest kernels alone on the real WGSL (headless Chromium, and Dawn for Node in the
 * `dawn` project), four voxels per invocation and one, whichever the adapter would choose: the
 * state (d², s, r, uncertainty) and owner word of every entry of the live cells bit for bit equal
 * to their CPU twin, and the same count of segment evaluations, in one slab and cut into z-slabs
 * and chunks by a small binding limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellLayout } from '../../src/backends/webgpu/shell-stages';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import type { PageRunner } from '../../src/platform/node/chromium';
import { firstDiff, pericoronaryCall, takeUpload } from '../harness/distance-calls';
import type { ShellNearestReply } from '../harness/page/protocol-distance';
import { plannedCurvedCase, plannedStemTree } from '../harness/shell-case';
import { startGpuRunner } from '../helpers/gpu-runner';
import type { Vec3 } from '../../src/volume/geometry';

let runner: PageRunner;

beforeAll(async () => {
  runner = (await startGpuRunner()).runner;
});
afterAll(async () => {
  await runner?.close();
});

describe('the shell_nearest kernels vs their CPU twin', () => {
  // 0.5 mm voxels make 5×5×3 cells: 75 voxels, so each cell's last packet holds three entries.
  // The stem tree: three vessels share a part (exact ties, tie masks in the owner words).
  const shapes: { limit: number | undefined; spacing: Vec3 | undefined; stem?: boolean }[] = [
    { limit: undefined, spacing: undefined },
    { limit: 10_000, spacing: undefined },
    { limit: undefined, spacing: [0.5, 0.5, 0.9] },
    { limit: undefined, spacing: undefined, stem: true },
  ];
  const cases = (['packet', 'voxel'] as const).flatMap((variant) => shapes.map((s) => ({ variant, ...s })));
  it.each(cases)('$variant: words bit for bit (binding limit $limit, spacing $spacing, stem tree $stem)', async (t) => {
    const { variant, limit } = t;
    const c = t.stem ? plannedStemTree() : plannedCurvedCase({ wallGapMm: 0 }, t.spacing);
    if (t.spacing) expect(c.cands.grid.size.reduce((a, b) => a * b) % 4).not.toBe(0);
    const r = await runner.call<ShellNearestReply>('shellNearest', {
      ...pericoronaryCall(runner, c.ct, c.vessels, c.lesions, c.opts, limit),
      nearestVariant: variant,
    });
    expect(r.variant).toBe(variant);
    const layout = shellLayout(c.plan, c.cands, r.slabRanges, r.limit);
    expect(layout.chunks.length).toBe(r.chunks);
    const twin = shellNearestCpu(c.plan, c.cands, c.tables, layout);
    expect(r.evaluations).toBe(twin.evaluations);
    expect(twin.evaluations).toBeGreaterThan(0);
    const state = takeUpload(runner, r.state);
    const owner = takeUpload(runner, r.owner);
    expect(firstDiff(new Uint32Array(state.slice().buffer), new Uint32Array(twin.state.buffer))).toBe('equal');
    expect(firstDiff(new Uint32Array(owner.slice().buffer), twin.owner)).toBe('equal');
    if (limit !== undefined) {
      expect(r.slabs).toBeGreaterThan(1);
      expect(r.chunks).toBeGreaterThan(r.slabs);
    }
  });
});
