/**
 * The package's shape as npm publishes it: `npm pack --dry-run` after a build. The browser entries
 * load dcmjs and the codecs only on demand (esbuild metafile of the sources, and of the build), the
 * codecs' .wasm files lie beside the chunks, maps carry no sources, declarations only for the public
 * entries, runtime dependencies exactly what the Node entry imports unbundled, puppeteer-core an
 * optional peer, a LICENSE, the report's JSON Schema exported, no install-time lifecycle script.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputsOf, staticClosure } from '../../scripts/package-shape.mjs';
import { REPORT_JSON_SCHEMA } from '../helpers/report-schema';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  scripts: Record<string, string>;
  sideEffects: string[] | boolean;
  exports: Record<string, unknown>;
  license: string;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
let packed: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
  const out = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
  ) as { files: { path: string }[] }[];
  packed = (out[0]?.files ?? []).map((f) => f.path);
}, 300_000);

/** What a page downloads before any dynamic import, by bundling the sources as a consumer would. */
async function staticInputs(entry: string): Promise<string[]> {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: { e: entry },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    outdir: '/tmp/perifat-shape',
    logLevel: 'silent',
    loader: { '.wgsl': 'text' },
    plugins: [
      {
        name: 'stub',
        setup(b) {
          b.onResolve({ filter: /\?raw$|^(fs|path|crypto)$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: '', loader: 'text' }));
        },
      },
    ],
  });
  const entryOut = Object.keys(r.metafile.outputs).find((o) => o.endsWith('/e.js')) as string;
  return inputsOf(r.metafile, staticClosure(r.metafile, entryOut));
}

describe('the published package', () => {
  it.each(['src/api/index.ts', 'src/api/worker.ts'])(
    '%s loads dcmjs and the JPEG decoders on demand only',
    async (entry) => {
      const inputs = await staticInputs(entry);
      expect(inputs.some((i) => i.includes('src/io/input-file'))).toBe(true);
      expect(inputs.filter((i) => /dcmjs|codec-charls|codec-openjpeg|jpeg-lossless|dicom-read/.test(i))).toEqual([]);
    },
  );

  it('ships the codecs beside the chunks, maps without sources, declarations for the public entries only', () => {
    for (const dir of ['dist/chunks', 'dist/browser'])
      for (const w of ['charlswasm_decode.wasm', 'openjpegwasm_decode.wasm']) expect(packed).toContain(`${dir}/${w}`);
    // The chunk that locates them names them relative to itself.
    const codecChunk = packed.find(
      (p) => /dist\/chunks\/.*\.js$/.test(p) && /charlswasm_decode\.wasm/.test(readFileSync(join(ROOT, p), 'utf8')),
    );
    expect(codecChunk).toBeDefined();
    for (const map of packed.filter((p) => p.endsWith('.map'))) {
      const m = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sourcesContent?: unknown[] };
      expect(m.sourcesContent ?? [], map).toEqual([]);
    }
    const types = packed.filter((p) => p.endsWith('.d.ts'));
    expect(types).toContain('dist/types/api/index.d.ts');
    expect(types).toContain('dist/types/api/node.d.ts');
    expect(types).toContain('dist/types/api/worker.d.ts');
    // cli/main.d.ts is perifat/node's cliMain / runCli; the rest of the CLI, batch and bench are internal.
    expect(types.filter((t) => /\/(cli\/(?!main)|batch\/|analyze\/)/.test(t) || /bench/.test(t))).toEqual([]);
    expect(packed).toContain('LICENSE');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(pkg.license).toBe('Apache-2.0');
  });

  it('depends at run time on exactly what the Node entries import unbundled', () => {
    // The Node entries and the chunks they share (dist/node-*.js).
    const node = readdirSync(join(ROOT, 'dist'))
      .filter((f) => /^(node|cli|shell-worker|node-[^.]+)\.js$/.test(f))
      .map((f) => readFileSync(join(ROOT, 'dist', f), 'utf8'))
      .join('\n');
    expect(node).toContain('runCli');
    const bare = new Set<string>();
    const statics = node.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm);
    const dynamics = node.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g);
    for (const m of [...statics, ...dynamics]) {
      const spec = m[1] as string;
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
    // createRequire'd by `perifat analyze` (esbuild renames the local require): @stdlib and uPlot.
    for (const m of node.matchAll(/\brequire\d+(?:\.resolve)?\("([^".][^"]*)"\)/g)) {
      const spec = m[1] as string;
      if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
    const peers = Object.keys(pkg.peerDependencies ?? {});
    const devOnly = ['vite']; // the source checkout's page bundler: never reached from dist/
    const expected = [...bare].filter((b) => !peers.includes(b) && !devOnly.includes(b)).sort();
    expect(Object.keys(pkg.dependencies).sort()).toEqual(expected);
  });

  it('puppeteer-core is an optional peer; no install-time script; sideEffects and the schema export', () => {
    expect(pkg.dependencies['puppeteer-core']).toBeUndefined();
    expect(pkg.optionalDependencies?.['puppeteer-core']).toBeUndefined();
    expect(pkg.peerDependencies?.['puppeteer-core']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['puppeteer-core']?.optional).toBe(true);
    for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) expect(pkg.scripts[s]).toBeUndefined();
    expect(Array.isArray(pkg.sideEffects)).toBe(true);
    expect(pkg.sideEffects).toContain('./dist/worker.js');
    expect(pkg.sideEffects).not.toContain('./dist/perifat.js');
    expect(pkg.exports['./report.schema.json']).toBe('./schema/report.schema.json');
    expect(packed).toContain('schema/report.schema.json');
    expect(REPORT_JSON_SCHEMA['title']).toBe('perifat-report/1');
  });
});
