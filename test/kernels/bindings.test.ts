/**
 * Each kernel's TS declarations (bindings, uniform layout, overrides) against its WGSL, reflected
 * with wgsl_reflect: a renamed binding or a moved uniform field fails here, not in a user's run.
 */
import { describe, expect, it } from 'vitest';
import { WgslReflect } from 'wgsl_reflect';
import { KERNELS } from '../../src/kernels/registry';
import { SHELL_COUNTS } from '../../src/kernels/shell-counts/shell-counts';
import { SHELL_LABELS } from '../../src/kernels/shell-labels/shell-labels';
import { ADAPTER_OVERRIDES, SHELL_NEAREST } from '../../src/kernels/shell-nearest/shell-nearest';
import { RING_COUNT } from '../../src/measure/pericoronary-types';
import { BAND_MM, LUMEN_BIT, shellOverrides } from '../../src/shells/constants';

describe.each(KERNELS.map((k) => [k.name, k] as const))('kernel %s', (_name, kernel) => {
  const reflect = new WgslReflect(kernel.code);
  const resources = [...reflect.uniforms, ...reflect.storage];
  const entry = reflect.entry.compute.find((e) => e.name === kernel.entryPoint);

  it('has its entry point', () => {
    expect(entry).toBeDefined();
  });

  it('declares exactly the bindings of the shader, with group, binding and access', () => {
    const fromShader = Object.fromEntries(
      resources.map((r) => [
        r.name,
        { group: r.group, binding: r.binding, kind: reflect.uniforms.includes(r) ? 'uniform' : r.access },
      ]),
    );
    expect(fromShader).toEqual(kernel.bindings);
  });

  it('uses every binding in its entry point (layout "auto" drops unused ones)', () => {
    const used = new Set((entry?.resources ?? []).map((r) => r.name));
    for (const name of Object.keys(kernel.bindings)) expect(used.has(name), name).toBe(true);
  });

  it('lays out its uniform struct as the host packs it', () => {
    const params = reflect.uniforms.find((u) => u.name === 'params');
    if (!kernel.params) {
      expect(params).toBeUndefined();
      return;
    }
    expect(params).toBeDefined();
    const type = params?.type as unknown as {
      size: number;
      members: { name: string; offset: number; type: { name: string } }[];
    };
    expect(type.size).toBe(kernel.params.size);
    const members = Object.fromEntries(type.members.map((m) => [m.name, { offset: m.offset, type: m.type.name }]));
    expect(members).toEqual(kernel.params.fields);
  });

  it('declares the override constants it sets', () => {
    expect(reflect.overrides.map((o) => o.name).sort()).toEqual([...kernel.overrides].sort());
  });
});

describe('shared constants reach the shell kernels as override constants', () => {
  it('every override of the shell kernels comes from src/shells/constants.ts, with its value', () => {
    for (const k of [SHELL_NEAREST, SHELL_LABELS, SHELL_COUNTS]) {
      const shared = k.overrides.filter((n) => !ADAPTER_OVERRIDES.includes(n));
      const values = shellOverrides(shared);
      expect(Object.keys(values).sort()).toEqual([...shared].sort());
      // The WGSL declares them without defaults: a constant the host forgot fails pipeline creation.
      for (const name of k.overrides.filter((n) => n !== 'WG')) {
        expect(k.code, name).toMatch(new RegExp(`override ${name}: (u32|f32);`));
      }
    }
    expect(shellOverrides(['LUMEN_BIT', 'BAND_MM', 'RINGS'])).toEqual({ LUMEN_BIT, BAND_MM, RINGS: RING_COUNT });
  });
});
