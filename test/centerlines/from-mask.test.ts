/**
 * Acceptance of centerlines derived from a lumen mask, against phantom trees with known centerlines
 * (src/phantom/lumen-tree.ts): per vessel over its first 50 mm, mean distance to the true polyline
 * ≤ 0.5 mm and 95th percentile ≤ 1.0 mm, radii within 0.15 mm on average, ostia within 1.5 mm,
 * RCA/LAD/LCx named right, the left stem shared point for point; typed errors for bad masks.
 */
import { describe, expect, it } from 'vitest';
import { centerlinesFromMask } from '../../src/centerlines/from-mask';
import { PerifatError } from '../../src/errors';
import { makeLumenTree, type LumenTreeOptions } from '../../src/phantom/lumen-tree';
import type { Vec3 } from '../../src/volume/geometry';
import type { LabelVolume } from '../../src/volume/volume';
import { accuracy, edt } from './helpers';

const CASES: [string, LumenTreeOptions, 'mask' | 'ct'][] = [
  ['seed 1, 0.5 mm, aorta mask', { seed: 1, spacing: 0.5 }, 'mask'],
  ['seed 2, 3 branches, 0.3 mm', { seed: 2, branches: 3, spacing: 0.3 }, 'mask'],
  ['seed 3, 0.7 mm, boundary noise', { seed: 3, spacing: 0.7, boundaryNoise: 0.1 }, 'mask'],
  [
    'seed 1, gap in the RCA, vein on the LAD',
    { seed: 1, spacing: 0.5, gap: { vessel: 'RCA', atMm: 30 }, vein: { vessel: 'LAD', atMm: 25 } },
    'mask',
  ],
  ['seed 4, 0.4 × 0.4 × 0.6 mm, aorta from CT contrast', { seed: 4, spacing: [0.4, 0.4, 0.6] }, 'ct'],
  [
    'seed 5, heart turned 20° about z, oblique grid',
    {
      seed: 5,
      spacing: 0.5,
      rotateZDeg: 20,
      direction: [1, 0, 0, 0, Math.cos(0.3), -Math.sin(0.3), 0, Math.sin(0.3), Math.cos(0.3)],
    },
    'mask',
  ],
];

describe('centerlinesFromMask on phantom lumen trees', () => {
  for (const [name, o, aortaFrom] of CASES) {
    it(name, async () => {
      const t = makeLumenTree(o);
      const r = await centerlinesFromMask(aortaFrom === 'ct' ? t.ct : null, t.mask, {
        edt,
        aorta: aortaFrom === 'mask' ? (t.aorta ?? undefined) : undefined,
      });
      for (const truth of t.vessels) {
        if (truth.name === 'RI') continue;
        const got = r.vessels.find((v) => v.name === truth.name);
        expect(got, `${truth.name} found`).toBeDefined();
        if (!got) continue;
        const a = accuracy(got, truth, 50);
        expect(a.mean, `${truth.name} mean distance`).toBeLessThanOrEqual(0.5);
        expect(a.p95, `${truth.name} p95 distance`).toBeLessThanOrEqual(1.0);
        expect(a.radius, `${truth.name} mean |Δr|`).toBeLessThanOrEqual(0.15);
        for (let i = 1; i < got.points.length; i++) {
          const d = Math.hypot(...(got.points[i] as Vec3).map((x, k) => x - (got.points[i - 1] as Vec3)[k]!));
          expect(d).toBeLessThanOrEqual(0.5 + 1e-9);
        }
      }
      for (const o2 of t.ostia) {
        const got = r.ostia.find((x) => x.side === o2.side);
        expect(got, `${o2.side} ostium`).toBeDefined();
        expect(Math.hypot(...got!.point.map((x, k) => x - o2.point[k]!))).toBeLessThanOrEqual(1.5);
        expect(got!.from).toBe(aortaFrom === 'ct' ? 'aorta-contrast' : 'aorta-mask');
      }
      // Every left vessel starts with the same stem: identical points and radii up to the split.
      const lad = r.vessels.find((v) => v.name === 'LAD')!;
      const lcx = r.vessels.find((v) => v.name === 'LCx')!;
      let k = 0;
      while (k < lad.points.length && lad.points[k] === lcx.points[k]) k++;
      expect(k).toBeGreaterThan(4);
      for (let i = 0; i < k; i++) {
        expect(lad.points[i]).toEqual(lcx.points[i]);
        expect(lad.radii[i]).toBe(lcx.radii[i]);
      }
      for (const v of r.vessels.filter((x) => x.name.startsWith('L')))
        expect(v.points.slice(0, k)).toEqual(lad.points.slice(0, k));
      if (o.gap) expect(r.warnings.map((w) => w.code)).toContain('gap-bridged');
      // A touching vein is said, and is neither a branch nor a reason to move the LAD's course.
      if (o.vein) {
        expect(r.warnings.map((w) => w.code)).toContain('touching-tube');
        expect(r.vessels.map((v) => v.name).filter((x) => x.startsWith(`${o.vein!.vessel}-b`))).toEqual([]);
      } else expect(r.warnings.map((w) => w.code)).not.toContain('touching-tube');
      // No stubs: every vessel other than the named three reaches the minimum length on its own.
      for (const v of r.vessels) expect(v.name).toMatch(/^(RCA|LAD|LCx|RI)(-b\d+)?$/);
      expect(r.stats.dijkstraPops).toBeGreaterThan(0);
    });
  }
});

describe('centerlinesFromMask without an aorta, labels, cancelling, crumbs', () => {
  it('ostium-missing fallback: the most superior thick end (ostia within 2.5 mm, looser than 1.5)', async () => {
    for (const seed of [1, 3]) {
      const t = makeLumenTree({ seed, spacing: 0.5 });
      const r = await centerlinesFromMask(null, t.mask, { edt });
      expect(r.warnings.filter((w) => w.code === 'ostium-missing')).toHaveLength(2);
      for (const o2 of t.ostia) {
        const got = r.ostia.find((x) => x.side === o2.side);
        expect(got?.from).toBe('most-proximal');
        expect(Math.hypot(...got!.point.map((x, k) => x - o2.point[k]!))).toBeLessThanOrEqual(2.5);
      }
      expect(r.vessels.map((v) => v.name).sort()).toEqual(['LAD', 'LCx', 'RCA']);
    }
  });

  it('labelNames: each label traced as its own vessel under its name', async () => {
    const t = makeLumenTree({ seed: 1, spacing: 0.6, maxLengthMm: 40 });
    // Label each lumen voxel by the nearest true vessel: 1 RCA, 2 left tree.
    const labels = new Uint8Array(t.mask.labels.length);
    const [nx, ny] = t.mask.dims;
    const rca = t.vessels.find((v) => v.name === 'RCA')!;
    const ro = rca.points[0]!;
    const lo = t.vessels.find((v) => v.name === 'LAD')!.points[0]!;
    for (let v = 0; v < labels.length; v++) {
      if (!t.mask.labels[v]) continue;
      const p = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))].map(
        (i, a) => t.mask.origin[a]! + i * t.mask.spacing[a]!,
      );
      // The two trees are apart: nearer the right ostium or the RCA's course means label 1.
      const dR = Math.min(...rca.points.map((q) => Math.hypot(q[0] - p[0]!, q[1] - p[1]!, q[2] - p[2]!)));
      const dL = Math.min(
        ...t.vessels
          .filter((x) => x.name !== 'RCA')
          .flatMap((x) => x.points)
          .map((q) => Math.hypot(q[0] - p[0]!, q[1] - p[1]!, q[2] - p[2]!)),
      );
      labels[v] = dR <= dL ? 1 : 2;
    }
    expect(Math.hypot(ro[0] - lo[0], ro[1] - lo[1], ro[2] - lo[2])).toBeGreaterThan(10);
    const r = await centerlinesFromMask(
      null,
      { ...t.mask, labels },
      { edt, aorta: t.aorta ?? undefined, labelNames: { 1: 'RCA', 2: 'LEFT', 3: 'EMPTY' } },
    );
    const names = r.vessels.map((v) => v.name);
    expect(names).toContain('RCA');
    expect(names).toContain('LEFT');
    expect(names.every((n) => /^(RCA|LEFT)(-b\d+)?$/.test(n))).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('label-empty');
    const a = accuracy(
      r.vessels.find((v) => v.name === 'RCA')!,
      rca,
      35,
    );
    expect(a.mean).toBeLessThanOrEqual(0.5);
  });

  it('cancelled through its signal: E_ABORTED', async () => {
    const t = makeLumenTree({ seed: 1, spacing: 0.7 });
    const ac = new AbortController();
    ac.abort();
    await expect(
      centerlinesFromMask(null, t.mask, { edt, aorta: t.aorta ?? undefined, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('a tiny separate speck is dropped with a warning', async () => {
    const t = makeLumenTree({ seed: 1, spacing: 0.5, marginMm: 6 });
    const labels = t.mask.labels.slice();
    const [nx, ny] = t.mask.dims;
    // A 2 × 2 × 2 voxel speck (1 mm³) in a corner, far from the tree.
    for (let k = 1; k < 3; k++)
      for (let j = 1; j < 3; j++) for (let i = 1; i < 3; i++) labels[i + nx * (j + ny * k)] = 1;
    const r = await centerlinesFromMask(null, { ...t.mask, labels }, { edt, aorta: t.aorta ?? undefined });
    expect(r.warnings.map((w) => w.code)).toContain('tiny-component');
    expect(r.vessels.map((v) => v.name).sort()).toEqual(['LAD', 'LCx', 'RCA']);
  });
});

describe('centerlinesFromMask typed errors', () => {
  const grid = (dims: Vec3, labels: Uint8Array, source = 'm.nii'): LabelVolume => ({
    dims,
    spacing: [0.5, 0.5, 0.5],
    origin: [0, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    labels,
    source,
  });
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'none';
    } catch (e) {
      expect(e).toBeInstanceOf(PerifatError);
      return (e as PerifatError).code + ':' + ((e as PerifatError).file ?? '');
    }
  };

  it('empty mask', async () => {
    expect(await code(centerlinesFromMask(null, grid([20, 20, 20], new Uint8Array(8000)), { edt }))).toBe(
      'E_CENTERLINE:m.nii',
    );
  });

  it('mask on another grid than the CT', async () => {
    const t = makeLumenTree({ seed: 1, spacing: 0.7 });
    const other = { ...t.mask, origin: [1, 0, 0] as Vec3 };
    expect(await code(centerlinesFromMask(t.ct, other, { edt }))).toMatch(/^E_MASK_GRID/);
  });

  it('too thin: a line one voxel wide', async () => {
    const labels = new Uint8Array(60 * 10 * 10);
    for (let i = 2; i < 58; i++) labels[i + 60 * (5 + 10 * 5)] = 1;
    expect(await code(centerlinesFromMask(null, grid([60, 10, 10], labels), { edt }))).toBe('E_CENTERLINE:m.nii');
  });
});
