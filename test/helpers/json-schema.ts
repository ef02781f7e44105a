/**
 * A small JSON Schema checker for the keywords schema/report.schema.json uses (type, const, enum,
 * required, properties, additionalProperties, items, minItems/maxItems, minimum/maximum, oneOf,
 * local $ref). A keyword it does not know is an error, so the schema cannot silently outgrow it.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'oneOf',
  '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/** Every way `value` breaks `schema` (empty when it conforms), each as `path: problem`. */
export function schemaErrors(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  const out: string[] = [];
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) out.push(`${path}: schema keyword ${k} not supported`);
  if (typeof schema['$ref'] === 'string') {
    const ref = schema['$ref'];
    const name = ref.replace(/^#\/\$defs\//, '');
    const target = (root['$defs'] as Record<string, Schema> | undefined)?.[name];
    if (!target) return [...out, `${path}: unresolved $ref ${ref}`];
    return [...out, ...schemaErrors(value, target, root, path)];
  }
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => typeMatches(value, t)))
      return [...out, `${path}: ${typeOf(value)}, expected ${types.join('|')}`];
  }
  if ('const' in schema && value !== schema['const']) out.push(`${path}: ${JSON.stringify(value)} is not the constant`);
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value))
    out.push(`${path}: ${JSON.stringify(value)} not one of ${JSON.stringify(schema['enum'])}`);
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) out.push(`${path}: ${value} < minimum`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) out.push(`${path}: ${value} > maximum`);
  }
  if (Array.isArray(schema['oneOf'])) {
    const passing = (schema['oneOf'] as Schema[]).filter((s) => schemaErrors(value, s, root, path).length === 0);
    if (passing.length !== 1) out.push(`${path}: matches ${passing.length} of oneOf, expected exactly 1`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) out.push(`${path}: too few items`);
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems'])
      out.push(`${path}: too many items`);
    if (schema['items'] !== undefined)
      value.forEach((v, i) => out.push(...schemaErrors(v, schema['items'] as Schema, root, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema['required'] as string[] | undefined) ?? [])
      if (!(r in obj)) out.push(`${path}: missing required ${r}`);
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    const extra = schema['additionalProperties'];
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...schemaErrors(v, props[k], root, `${path}.${k}`));
      else if (extra === false) out.push(`${path}: unexpected property ${k}`);
      else if (typeof extra === 'object' && extra !== null)
        out.push(...schemaErrors(v, extra as Schema, root, `${path}.${k}`));
    }
  }
  return out;
}
