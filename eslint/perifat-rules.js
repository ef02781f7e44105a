// perifat's own lint rules: the layers of src/ (no folder imports one above it) and no import
// cycles between files of src/. Both read import specifiers as written; only relative ones matter.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'src');

/**
 * Data flows one way: read → volume → upload → kernels → histograms → statistics → report. A folder
 * may import its own files and folders of a lower rank; folders of one rank do not import each
 * other. `root` is src/*.ts (errors, version).
 */
export const LAYERS = {
  root: 0,
  util: 0.5,
  volume: 1,
  stats: 1,
  measure: 2,
  shells: 3,
  io: 3,
  phantom: 3,
  centerlines: 1.5,
  gpu: 4,
  kernels: 5,
  backends: 6,
  'platform/page': 7,
  'platform/node': 8,
  batch: 9,
  analyze: 9,
  cli: 10,
  api: 11,
};

/** The layer a file of src/ belongs to, or null outside src/. */
export function layerOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  if (parts.length === 1) return 'root';
  if (parts[0] === 'platform') return `platform/${parts[1]}`;
  return parts[0];
}

function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(fromFile), spec.replace(/\?raw$/, '').replace(/\.js$/, ''));
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return base;
}

const layersRule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { up: '{{from}} (layer {{a}}) may not import {{to}} (layer {{b}}): {{why}}' },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (from === null) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const target = resolveImport(file, spec);
      if (target === null) return;
      const to = layerOf(target);
      if (to === null || to === from) return;
      const a = LAYERS[from];
      const b = LAYERS[to];
      if (a === undefined || b === undefined) {
        context.report({
          node,
          messageId: 'up',
          data: { from, to, a: `${a}`, b: `${b}`, why: 'unknown folder: add it to eslint/perifat-rules.js LAYERS' },
        });
      } else if (b >= a) {
        const why = b === a ? 'folders of one layer do not import each other' : 'an import goes to a lower layer only';
        context.report({ node, messageId: 'up', data: { from, to, a: `${a}`, b: `${b}`, why } });
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

/** Every file of src/ with the files it imports (relative specifiers, type imports included). */
function importGraph() {
  const graph = new Map();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) graph.set(p, []);
    }
  };
  walk(SRC);
  const re = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const [file, out] of graph) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) {
      const t = resolveImport(file, m[1] ?? m[2]);
      if (t !== null && graph.has(t)) out.push(t);
    }
  }
  return graph;
}

/** Files that lie on an import cycle, each with the cycle's members (Tarjan's strongly connected components). */
export function cyclicFiles(graph = importGraph()) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const inCycle = new Map();
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = graph.get(v).includes(v);
      if (scc.length > 1 || selfLoop) for (const f of scc) inCycle.set(f, scc);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return inCycle;
}

let cached = null;
const noCycleRule = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'import cycle: {{files}}' } },
  create(context) {
    cached ??= cyclicFiles();
    const scc = cached.get(context.filename);
    if (!scc) return {};
    return {
      Program(node) {
        context.report({ node, messageId: 'cycle', data: { files: scc.map((f) => relative(ROOT, f)).join(' ↔ ') } });
      },
    };
  },
};

export default { rules: { layers: layersRule, 'no-cycle': noCycleRule } };
