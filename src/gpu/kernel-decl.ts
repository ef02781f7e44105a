/**
 * Declarations each kernel module makes about its WGSL, so a unit test can check them against
 * the shader with wgsl_reflect: a binding or uniform field that drifts fails CI, not a user's run.
 */
export type BindingKind = 'uniform' | 'read' | 'read_write';

export interface BindingDecl {
  readonly group: number;
  readonly binding: number;
  readonly kind: BindingKind;
}

export type ScalarType = 'u32' | 'i32' | 'f32';

/** One field of a uniform layout: its type and byte offset. */
export function uniformField(type: ScalarType, offset: number): { readonly offset: number; readonly type: ScalarType } {
  return { offset, type };
}

export interface UniformLayout {
  /** Struct size in bytes. */
  readonly size: number;
  readonly fields: Readonly<Record<string, { readonly offset: number; readonly type: ScalarType }>>;
}

export interface KernelDecl {
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
  readonly bindings: Readonly<Record<string, BindingDecl>>;
  /** The uniform struct bound as `params`, when the kernel has one. */
  readonly params?: UniformLayout;
  /** Names of the `override` constants the host sets. */
  readonly overrides: readonly string[];
}

/** Fill a uniform buffer from a layout and values, by name: no hand-counted offsets at call sites. */
export function packUniform(layout: UniformLayout, values: Readonly<Record<string, number>>): ArrayBuffer {
  const buf = new ArrayBuffer(layout.size);
  const view = new DataView(buf);
  for (const [name, field] of Object.entries(layout.fields)) {
    const v = values[name];
    if (v === undefined) throw new Error(`uniform field ${name} missing`);
    if (field.type === 'u32') view.setUint32(field.offset, v, true);
    else if (field.type === 'i32') view.setInt32(field.offset, v, true);
    else view.setFloat32(field.offset, v, true);
  }
  for (const name of Object.keys(values)) {
    if (!(name in layout.fields)) throw new Error(`uniform field ${name} is not in the layout`);
  }
  return buf;
}
