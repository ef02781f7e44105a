/** GPU-free planning code: grid choice, binding by name, slabs, uniform packing. */
import { describe, expect, it } from 'vitest';
import { bindingEntries, chooseGrid } from '../../src/gpu/dispatch';
import { KERNELS } from '../../src/kernels/registry';
import { EDT_BYTES, SHELL_VOXEL_BYTES, packedBytes, planShellSlabs, planSlabs } from '../../src/gpu/slabs';
import { labelSlotsPerPass } from '../../src/kernels/fat-stats/fat-stats';
import { packUniform } from '../../src/gpu/kernel-decl';
import { PerifatError } from '../../src/errors';

describe('chooseGrid', () => {
  it('gives software adapters a few workgroups per core and real GPUs many', () => {
    expect(chooseGrid(1e8, { software: true, hostCores: 2 }).workgroups).toBe(8);
    expect(chooseGrid(1e8, { software: false, hostCores: 2 }).workgroups).toBe(4096);
    expect(chooseGrid(10, { software: false, hostCores: 2 }).workgroups).toBe(1);
  });
});

describe('planSlabs', () => {
  it('keeps a volume that fits in one slab', () => {
    expect(planSlabs([512, 512, 300], 2, 2 ** 30)).toEqual([{ z0: 0, z1: 300 }]);
  });
  it('cuts a volume over the binding limit into whole slices that each fit', () => {
    const dims: [number, number, number] = [512, 512, 600];
    const limit = 128 * 2 ** 20;
    const slabs = planSlabs(dims, 2, limit);
    expect(slabs[0]?.z0).toBe(0);
    expect(slabs.at(-1)?.z1).toBe(600);
    for (let i = 0; i < slabs.length; i++) {
      const s = slabs[i]!;
      if (i > 0) expect(s.z0).toBe(slabs[i - 1]!.z1);
      expect(packedBytes((s.z1 - s.z0) * 512 * 512, 2)).toBeLessThanOrEqual(limit);
    }
    expect(slabs.length).toBe(Math.ceil(600 / 256));
  });
  it('pads odd voxel counts to whole quads', () => {
    expect(packedBytes(5, 2)).toBe(16);
    expect(packedBytes(8, 1)).toBe(8);
  });
  it('refuses a slice larger than a binding with a typed error', () => {
    expect(() => planSlabs([4096, 4096, 2], 2, 1024)).toThrow(PerifatError);
  });
});

describe('planShellSlabs', () => {
  const dims: [number, number, number] = [300, 260, 240];
  const slice = 300 * 260;
  it('keeps a crop whose HU fit one binding whole', () => {
    expect(planShellSlabs(dims, 5, 2 ** 31)).toEqual([{ z0: 0, z1: 240, g0: 0, g1: 240 }]);
  });
  it.each([null, 0, 6, 40])('with a guard halo of %s slices: contiguous slabs whose HU and EDT region fit', (halo) => {
    const limit = 32 * 2 ** 20; // a small binding limit (WebGPU's default is 128 MiB)
    const slabs = planShellSlabs(dims, halo, limit);
    expect(slabs.length).toBeGreaterThan(1);
    expect(slabs[0]?.z0).toBe(0);
    expect(slabs.at(-1)?.z1).toBe(240);
    slabs.forEach((s, i) => {
      if (i > 0) expect(s.z0).toBe(slabs[i - 1]?.z1);
      expect(packedBytes((s.z1 - s.z0) * slice, SHELL_VOXEL_BYTES)).toBeLessThanOrEqual(limit);
      const h = halo ?? 0;
      expect(s.g0).toBe(Math.max(0, s.z0 - h));
      expect(s.g1).toBe(Math.min(240, s.z1 + h));
      if (halo !== null) expect(packedBytes((s.g1 - s.g0) * slice, EDT_BYTES)).toBeLessThanOrEqual(limit);
    });
  });
  it('shrinks slabs so that a wide guard halo still fits', () => {
    const limit = 64 * slice * SHELL_VOXEL_BYTES;
    expect(planShellSlabs(dims, null, limit)[0]).toMatchObject({ z0: 0, z1: 64 });
    // 64 slices + 2 × 14 halo = 92 slices × 4 bytes > 64 × 2: the slabs get thinner.
    const withHalo = planShellSlabs(dims, 14, limit)[0];
    expect(withHalo?.z1).toBe(4); // (4 + 28) × 4 = 128 ≤ 128
  });
  it('refuses a crop slice over the binding with a typed error naming the crop', () => {
    expect(() => planShellSlabs(dims, null, slice)).toThrow(/pericoronary crop/);
    expect(() => planShellSlabs(dims, 40, slice * 16)).toThrow(PerifatError);
  });
});

describe('labelSlotsPerPass', () => {
  it('fits histogram rows plus a counter per label into workgroup memory', () => {
    expect(labelSlotsPerPass(32768, 161, 255)).toBe(50);
    expect(labelSlotsPerPass(32768, 161, 3)).toBe(3);
    expect(labelSlotsPerPass(16384, 2001, 255)).toBe(2);
  });
});

describe('packUniform', () => {
  const layout = {
    size: 12,
    fields: { a: { offset: 0, type: 'u32' }, b: { offset: 4, type: 'i32' }, c: { offset: 8, type: 'f32' } },
  } as const;
  it('writes each field at its offset', () => {
    const v = new DataView(packUniform(layout, { a: 7, b: -3, c: 0.5 }));
    expect([v.getUint32(0, true), v.getInt32(4, true), v.getFloat32(8, true)]).toEqual([7, -3, 0.5]);
  });
  it('refuses missing and unknown fields', () => {
    expect(() => packUniform(layout, { a: 1, b: 2 })).toThrow();
    expect(() => packUniform(layout, { a: 1, b: 2, c: 3, d: 4 })).toThrow();
  });
});

describe('bindingEntries (bind by name)', () => {
  it('maps every declared name of every kernel to its binding number', () => {
    for (const k of KERNELS) {
      const names = Object.keys(k.bindings);
      const given = Object.fromEntries(names.map((n) => [n, n]));
      const entries = bindingEntries(k, given);
      expect(entries.length).toBe(names.length);
      for (const e of entries) expect(k.bindings[e.value]?.binding).toBe(e.binding);
      expect(new Set(entries.map((e) => e.binding)).size).toBe(names.length);
    }
  });
  it('refuses a missing or an unknown name, naming the kernel', () => {
    const k = KERNELS[0]!;
    const names = Object.keys(k.bindings);
    const given = Object.fromEntries(names.map((n) => [n, n]));
    const { [names[1] as string]: _dropped, ...missing } = given;
    expect(() => bindingEntries(k, missing)).toThrow(new RegExp(`${k.name}.*missing ${names[1]}`));
    expect(() => bindingEntries(k, { ...given, bogus: 'x' })).toThrow(/unknown bogus/);
  });
});
